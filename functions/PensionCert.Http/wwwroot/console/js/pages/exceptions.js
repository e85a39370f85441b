// The daily cycle's exceptions: pensioners the scan could not process (retried every night until they succeed).
import { api, describeError } from '../api.js';
import { field, formatInstant, h, notice, replace, table, announce } from '../ui.js';

export async function render(main, { session }) {
  const region = h('input', { type: 'text', name: 'region', inputmode: 'numeric', pattern: '\\d{6}', required: true, list: 'exception-regions', value: session.regions[0] ?? '' });
  const results = h('div');
  async function load() {
    if (!region.checkValidity()) {
      replace(results, notice('error', '请填写 6 位行政区划代码。'));
      region.focus();
      return;
    }
    try {
      const list = await api(`/regions/${encodeURIComponent(region.value)}/cycle-exceptions`);
      replace(results,
        h('p', {}, list.count === 0 ? '没有未处理的周期异常。' : `共 ${list.count} 人未能由每日周期处理，系统每晚自动重试；请核查这些人员的档案。`),
        table(`${region.value} 的周期异常`, ['人员编号', '区划', '应处理日期', '首次失败', '最近失败', '失败次数', '错误类型'],
          list.items.map(x => [
            h('a', { href: `#/pensioners/${encodeURIComponent(x.pensionerId)}` }, x.pensionerId),
            x.regionCode, x.dueOn, formatInstant(x.firstFailedAt), formatInstant(x.lastFailedAt), String(x.attempts), x.errorType,
          ]), [5]));
      announce(`周期异常 ${list.count} 人`);
    } catch (e) {
      replace(results, notice('error', describeError(e)));
    }
  }
  main.append(
    h('h1', {}, '周期异常'),
    h('p', { class: 'hint' }, '每日 01:00（北京时间）的资格周期扫描无法处理的人员（例如档案无法读取）。扫描不会因个别人员而停止。'),
    h('form', { class: 'filters', onsubmit: e => { e.preventDefault(); load(); } },
      field('行政区划代码', region, '含下级区划'),
      h('datalist', { id: 'exception-regions' }, session.regions.map(r => h('option', { value: r }))),
      h('button', { type: 'submit' }, '查询')),
    results);
  await load();
}
