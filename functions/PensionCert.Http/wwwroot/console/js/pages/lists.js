// The region's lists: due soon, overdue, under investigation, suspended; paged, with CSV export of the whole list.
import { api, describeError } from '../api.js';
import { channelName, chinaDate, download, field, h, latestOnly, notice, replace, select, stateName, table, toCsv, announce } from '../ui.js';

const states = [
  ['DueSoon', '即将到期'],
  ['Overdue', '逾期未认证'],
  ['UnderInvestigation', '调查中'],
  ['Suspended', '已暂停发放'],
  ['Deceased', '已故'],
  ['Transferred', '已转出'],
];
const pageSize = 50;
const exportLimit = 20_000;

export async function render(main, { session }) {
  const region = h('input', { type: 'text', name: 'region', inputmode: 'numeric', pattern: '\\d{6}', required: true, list: 'region-options', value: session.regions[0] ?? '' });
  const regionOptions = h('datalist', { id: 'region-options' }, session.regions.map(r => h('option', { value: r })));
  const state = select(states, { name: 'state' });
  const results = h('div', { id: 'list-results' });
  const pager = h('div', { class: 'pager' });
  const message = h('div');
  // Tokens of the pages shown so far, so "previous" can go back (the API pages forward only).
  let tokens = [null];
  let current = 0;
  let next = null;
  const startRequest = latestOnly();

  async function load(pageIndex) {
    const isLatest = startRequest();
    message.replaceChildren();
    if (!region.checkValidity()) {
      message.append(notice('error', '请填写 6 位行政区划代码。'));
      region.focus();
      return;
    }
    // The answer is shown under the region and list it was asked for, and only if no later query was started.
    const [askedRegion, askedState] = [region.value, state.value];
    const query = new URLSearchParams({ state: askedState, pageSize: String(pageSize) });
    if (tokens[pageIndex]) query.set('continuationToken', tokens[pageIndex]);
    try {
      const page = await api(`/regions/${encodeURIComponent(askedRegion)}/pensioners?${query}`);
      if (!isLatest()) return;
      current = pageIndex;
      next = page.continuationToken;
      tokens[pageIndex + 1] = next;
      tokens = tokens.slice(0, pageIndex + 2);
      const caption = `${askedRegion} · ${stateName(askedState)} · 第 ${pageIndex + 1} 页`;
      replace(results, table(caption, ['人员编号', '状态', '有效期至', '进入此状态', '常用渠道'],
        page.items.map(p => [
          h('a', { href: `#/pensioners/${encodeURIComponent(p.pensionerId)}` }, p.pensionerId),
          stateName(p.state), p.validUntil ?? '—', p.since ?? '—', channelName(p.preferredChannel),
        ])));
      replace(pager,
        h('button', { type: 'button', class: 'secondary', disabled: pageIndex === 0, onclick: () => load(current - 1) }, '上一页'),
        h('span', {}, `第 ${pageIndex + 1} 页，本页 ${page.items.length} 人`),
        h('button', { type: 'button', class: 'secondary', disabled: !next, onclick: () => load(current + 1) }, '下一页'));
      announce(`${caption}，共 ${page.items.length} 人`);
    } catch (e) {
      if (!isLatest()) return;
      replace(results);
      replace(pager);
      message.append(notice('error', describeError(e)));
    }
  }

  async function exportCsv() {
    message.replaceChildren(notice('', '正在导出…'));
    const rows = [['pensionerId', 'state', 'validUntil', 'since', 'preferredChannel']];
    let token = null;
    try {
      do {
        const query = new URLSearchParams({ state: state.value, pageSize: '500' });
        if (token) query.set('continuationToken', token);
        const page = await api(`/regions/${encodeURIComponent(region.value)}/pensioners?${query}`);
        for (const p of page.items) rows.push([p.pensionerId, p.state, p.validUntil ?? '', p.since ?? '', p.preferredChannel ?? '']);
        token = page.continuationToken;
      } while (token && rows.length <= exportLimit);
      download(`pensioners-${region.value}-${state.value}-${chinaDate()}.csv`, toCsv(rows));
      message.replaceChildren(notice('ok', `已导出 ${rows.length - 1} 人${token ? `（已达上限 ${exportLimit} 人，请缩小范围）` : ''}。`));
    } catch (e) {
      message.replaceChildren(notice('error', describeError(e)));
    }
  }

  const form = h('form', { class: 'filters', onsubmit: event => { event.preventDefault(); tokens = [null]; load(0); } },
    field('行政区划代码', region), regionOptions,
    field('名单', state),
    h('button', { type: 'submit' }, '查询'),
    h('button', { type: 'button', class: 'secondary', onclick: exportCsv }, '导出 CSV'));
  main.append(
    h('h1', {}, '辖区名单'),
    h('p', { class: 'hint' }, '名单按最近一次已发布的事件统计（每分钟更新）。逾期当天即开启调查，逾期人员列在“调查中”。'),
    form, message, results, pager);
  await load(0);
}
