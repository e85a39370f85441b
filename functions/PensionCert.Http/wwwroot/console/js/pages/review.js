// The review queue: filter, claim, both photos side by side with scores and reasons, recent attempts, and a decision.
import { api, describeError, imageUrl } from '../api.js';
import { announce, channelName, field, formatInstant, formatScore, h, latestOnly, notice, replace, select, statusBadge, summary, table } from '../ui.js';

export const reviewReasons = {
  'certification-needs-review': '认证待人工复核',
  'daily-attempts-exhausted': '当日失败次数已满',
  'death-before-certification': '死亡记录与同日或之后的认证矛盾',
  'reference-change': '登记照片变更（双人复核）',
  'status-reversal': '撤销死亡或迁出记录',
  'death-report': '经办人员报告死亡（须另一名管理员批准）',
  'id-photo-enrollment': '证件照首次登记（双人复核）',
  'transfer-report': '经办人员报告迁出（须另一名管理员批准）',
  'home-visit-found-deceased': '上门核查发现死亡',
  'investigation-certified': '凭书面材料认证（须另一名管理员批准）',
};
const referenceSources = { 'live-capture': '当场拍摄', 'id-photo': '证件照或档案照片' };

// What the probe photo is: the selfie under review, or the proposed reference of a reference change or an ID-photo enrolment.
function probeCaption(c) {
  if (c.reason === 'id-photo-enrollment') return '拟登记的证件照（尚无登记照片）';
  if (c.reason === 'reference-change') return `拟更换的登记照片（${referenceSources[c.referenceSource] ?? '来源未记录'}）`;
  return '本次认证照片';
}
const rejectionReasons = [
  ['not-the-pensioner', '不是本人'],
  ['presentation-attack', '翻拍、面具等非活体'],
  ['poor-photo', '照片质量差，无法判断'],
  ['reference-unusable', '登记照片不可用'],
  ['record-incorrect', '档案信息有误'],
];
const caseStates = { open: '待审核', approved: '已通过', rejected: '已驳回', 'sent-offline': '已转线下', expired: '逾期失效' };
const offlineChannels = [['counter', '到经办柜台认证'], ['home-visit', '上门认证']];

function formatHours(hours) {
  if (typeof hours !== 'number') return '—';
  return hours >= 24 ? `${Math.floor(hours / 24)} 天 ${Math.floor(hours % 24)} 小时` : `${Math.floor(hours)} 小时 ${Math.round((hours % 1) * 60)} 分`;
}

export async function render(main, { session }) {
  const region = h('input', { type: 'text', name: 'region', inputmode: 'numeric', pattern: '\\d{6}', list: 'review-regions', placeholder: '全部负责区划' });
  const reason = select([['', '全部原因'], ...Object.entries(reviewReasons)], { name: 'reason' });
  const state = select(Object.entries(caseStates), { name: 'state' });
  const minAge = h('input', { type: 'number', name: 'minAgeDays', min: '0', max: '365', step: '1', inputmode: 'numeric' });
  const overview = h('div', { id: 'review-overview' });
  const list = h('div', { id: 'review-list' });
  const detail = h('section', { id: 'review-detail', 'aria-labelledby': 'review-detail-heading' });
  const objectUrls = [];

  const startListRequest = latestOnly();

  async function loadList() {
    const isLatest = startListRequest();
    if (!region.checkValidity()) {
      replace(overview, notice('error', '行政区划代码应为 6 位数字。'));
      region.focus();
      return;
    }
    const askedState = state.value;
    const query = new URLSearchParams({ state: askedState, pageSize: '100' });
    if (region.value) query.set('region', region.value);
    if (reason.value) query.set('reason', reason.value);
    if (minAge.value) query.set('minAgeDays', minAge.value);
    try {
      const page = await api(`/review-cases?${query}`);
      if (!isLatest()) return;
      const oldest = page.openCases > 0
        ? `待审核 ${page.openCases} 件；最早一件已等待 ${formatHours(page.oldestOpenAgeHours)}（${formatInstant(page.oldestOpenSince)} 起）。`
        : '没有待审核的案件。';
      replace(overview, h('p', { class: 'notice', role: 'status' }, oldest));
      replace(list, table(`${caseStates[askedState]}案件（最早的在前）`, ['案件', '人员编号', '原因', '已等待', '状态', '认领人'],
        page.cases.map(c => [
          h('button', { type: 'button', class: 'secondary', onclick: () => openCase(c.caseId), 'aria-label': `查看案件 ${c.caseId}` }, '查看'),
          c.pensionerId, reviewReasons[c.reason] ?? c.reason, formatHours(c.ageHours), caseStates[c.state] ?? c.state, c.claimedBy ?? '—',
        ])));
    } catch (e) {
      if (!isLatest()) return;
      replace(overview, notice('error', describeError(e)));
      replace(list);
    }
  }

  async function openCase(caseId, message) {
    objectUrls.splice(0).forEach(URL.revokeObjectURL);
    let details;
    try {
      details = await api(`/review-cases/${encodeURIComponent(caseId)}`);
    } catch (e) {
      replace(detail, notice('error', describeError(e)));
      return;
    }
    const c = details.case;
    const cert = details.certification;
    const mine = c.claimedBy === session.operatorId;
    const heading = h('h2', { id: 'review-detail-heading', tabindex: '-1' }, `案件 ${c.caseId}`);
    const photos = h('div', { class: 'photos' });
    replace(detail,
      heading,
      message ?? null,
      summary([
        ['人员', h('a', { href: `#/pensioners/${encodeURIComponent(c.pensionerId)}` }, c.pensionerId)],
        ['原因', reviewReasons[c.reason] ?? c.reason],
        ['状态', caseStates[c.state] ?? c.state],
        ['开立时间', `${formatInstant(c.openedAt)}（已等待 ${formatHours(c.ageHours)}）`],
        ['认领', c.claimedBy ? `${c.claimedBy}，至 ${formatInstant(c.claimExpiresAt)}` : '未认领'],
        ...(c.submittedBy ? [['提交人', c.submittedBy]] : []),
        ...(c.requestNote ? [['申请说明', c.requestNote]] : []),
        ...(c.referenceSource ? [['照片来源', referenceSources[c.referenceSource] ?? c.referenceSource]] : []),
        ...(c.decidedBy ? [['决定', `${caseStates[c.state]}，${c.decidedBy}，${formatInstant(c.decidedAt)}${c.note ? `：${c.note}` : ''}`]] : []),
      ]),
      photos);

    for (const link of details.photos) {
      const caption = link.kind === 'reference' ? `登记照片（第 ${details.referenceVersion} 版）` : probeCaption(c);
      const figure = h('figure', {}, h('p', {}, '正在加载照片…'), h('figcaption', {}, caption));
      photos.append(figure);
      imageUrl(link.url).then(url => {
        objectUrls.push(url);
        figure.firstChild.replaceWith(h('img', { src: url, alt: link.kind === 'reference' ? '登记照片' : probeCaption(c) }));
      }).catch(e => figure.firstChild.replaceWith(notice('error', describeError(e))));
    }
    if (details.photos.length === 0) photos.append(h('p', {}, '此案件没有照片。'));

    if (cert) {
      detail.append(h('h3', {}, '本次认证'), summary([
        ['结果', statusBadge(cert.status)],
        ['渠道', channelName(cert.channel)],
        ['提交时间', formatInstant(cert.submittedAt)],
        ['相似度', `${formatScore(cert.similarityScore)}（通过阈值 ${formatScore(cert.threshold)}，复核下限 ${formatScore(cert.reviewThreshold)}）`],
        ['活体概率', formatScore(cert.livenessScore)],
        ['原因', cert.reasons.length ? h('ul', {}, cert.reasons.map(r => h('li', {}, `${r.message}（${r.code}）`))) : '—'],
      ]));
    }
    detail.append(table('该人员最近的认证', ['提交时间', '渠道', '结果', '相似度', '活体', '原因'],
      details.recentAttempts.map(a => [formatInstant(a.submittedAt), channelName(a.channel), statusBadge(a.status), formatScore(a.similarityScore),
        formatScore(a.livenessScore), a.reasons.map(r => r.message).join('；') || '—']), [3, 4]));

    if (c.state !== 'open') {
      detail.append(h('p', {}, '此案件已有决定。'));
    } else if (!mine) {
      detail.append(h('div', { class: 'actions' }, h('button', {
        type: 'button',
        onclick: async () => {
          try {
            await api(`/review-cases/${encodeURIComponent(c.caseId)}/claim`, { method: 'POST' });
            announce('已认领案件');
            await openCase(c.caseId, notice('ok', '已认领：认领期间其他复核员不能决定此案件。'));
            await loadList();
          } catch (e) {
            detail.append(notice('error', describeError(e)));
          }
        },
      }, c.claimedBy ? '案件已被他人认领' : '认领此案件')));
      if (c.claimedBy) detail.querySelector('.actions button').disabled = true;
    } else {
      detail.append(decisionForm(c));
    }
    heading.focus();
  }

  function decisionForm(c) {
    const choice = name => h('input', { type: 'radio', name: 'decision', value: name, id: `decision-${name}`, required: true });
    const rejectReason = select([['', '请选择'], ...rejectionReasons], { name: 'reason' });
    const offline = select(offlineChannels, { name: 'offlineChannel' });
    const note = h('textarea', { name: 'note', maxlength: '500' });
    const error = h('div');
    const form = h('form', { class: 'stack', novalidate: true },
      h('h3', {}, '作出决定'),
      h('fieldset', {}, h('legend', {}, '决定'),
        h('div', { class: 'check' }, choice('approve'), h('label', { for: 'decision-approve' }, '通过：确认是本人，资格认证有效')),
        h('div', { class: 'check' }, choice('reject'), h('label', { for: 'decision-reject' }, '驳回：须说明原因')),
        h('div', { class: 'check' }, choice('send-offline'), h('label', { for: 'decision-send-offline' }, '转线下：请本人到柜台或安排上门'))),
      field('驳回原因', rejectReason),
      field('线下方式', offline),
      field('备注（可选）', note, '写明判断依据；不要填写身份证号等个人信息。'),
      error,
      h('div', { class: 'actions' },
        h('button', { type: 'submit' }, '提交决定'),
        h('button', {
          type: 'button', class: 'secondary',
          onclick: async () => {
            try { await api(`/review-cases/${encodeURIComponent(c.caseId)}/release`, { method: 'POST' }); await openCase(c.caseId); await loadList(); } catch (e) { error.replaceChildren(notice('error', describeError(e))); }
          },
        }, '放弃认领')));
    form.addEventListener('submit', async event => {
      event.preventDefault();
      const decision = form.elements.decision.value;
      if (!decision) { error.replaceChildren(notice('error', '请选择决定。')); form.querySelector('input[name=decision]').focus(); return; }
      if (decision === 'reject' && !rejectReason.value) { error.replaceChildren(notice('error', '驳回须选择原因。')); rejectReason.focus(); return; }
      const body = { decision, note: note.value.trim() || null };
      if (decision === 'reject') body.reason = rejectReason.value;
      if (decision === 'send-offline') body.offlineChannel = offline.value;
      try {
        const decided = await api(`/review-cases/${encodeURIComponent(c.caseId)}/decision`, { method: 'POST', body });
        const text = `决定已提交：${caseStates[decided.state] ?? decided.state}。`;
        announce(text);
        await openCase(c.caseId, notice('ok', text));
        await loadList();
      } catch (e) {
        error.replaceChildren(notice('error', describeError(e)));
      }
    });
    return form;
  }

  main.append(
    h('h1', {}, '审核队列'),
    h('form', { class: 'filters', onsubmit: e => { e.preventDefault(); loadList(); } },
      field('行政区划', region), h('datalist', { id: 'review-regions' }, session.regions.map(r => h('option', { value: r }))),
      field('原因', reason), field('状态', state), field('至少等待（天）', minAge),
      h('button', { type: 'submit' }, '查询')),
    overview,
    list, detail);
  await loadList();
  return () => objectUrls.forEach(URL.revokeObjectURL);
}
