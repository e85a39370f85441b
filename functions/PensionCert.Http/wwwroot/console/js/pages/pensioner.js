// A pensioner's page: masked identity, eligibility, certification history, holds and the audit trail.
import { api, describeError } from '../api.js';
import { channelName, formatInstant, formatScore, h, maskName, notice, stateName, statusBadge, summary, table } from '../ui.js';

const holdNames = { review: '人工复核', 'home-visit': '上门认证', investigation: '调查' };
const holdName = hold => {
  const [kind, id] = hold.split(':');
  return `${holdNames[kind] ?? kind}${id ? `（${id}）` : ''}`;
};

export async function render(main, { params }) {
  const pensionerId = params[0] ?? '';
  main.append(h('h1', {}, '人员详情'));
  let profile;
  try {
    profile = await api(`/pensioners/${encodeURIComponent(pensionerId)}`);
  } catch (e) {
    main.append(notice('error', describeError(e)));
    return;
  }
  main.append(
    h('h2', {}, '身份与资格'),
    summary([
      ['人员编号', profile.pensionerId],
      ['姓名', maskName(profile.name)],
      ['身份证号', profile.idNumber],
      ['行政区划', profile.regionCode],
      ['资格状态', statusBadge(profile.state)],
      ['有效期至', profile.validUntil ?? '—'],
      ['登记时间', formatInstant(profile.enrolledAt)],
      ['登记照片版本', String(profile.referenceVersion)],
    ]),
    h('p', { class: 'hint' }, '证件号码与姓名已脱敏显示。'));

  let history;
  try {
    history = await api(`/pensioners/${encodeURIComponent(pensionerId)}/history`);
  } catch (e) {
    main.append(notice('error', `无法读取认证记录：${describeError(e)}`));
    return;
  }
  main.append(
    h('h2', {}, '暂停发放的保留事项'),
    history.holds.length === 0
      ? h('p', {}, '无（没有阻止暂停发放的待办事项）。')
      : h('ul', {}, history.holds.map(hold => h('li', {}, holdName(hold)))),
    h('h2', {}, '认证记录'),
    table(`最近 ${history.certifications.length} 次认证`, ['提交时间', '渠道', '结果', '相似度', '活体', '原因', '决定'],
      history.certifications.map(c => [
        formatInstant(c.submittedAt), channelName(c.channel), statusBadge(c.status), formatScore(c.similarityScore), formatScore(c.livenessScore),
        c.reasons.length ? c.reasons.map(r => r.message).join('；') : '—',
        c.decidedBy ? `复核员 ${c.decidedBy}` : c.decidedAt ? '系统' : '—',
      ]), [3, 4]),
    h('h2', {}, '登记照片历史'),
    table('已替换的登记照片', ['版本', '登记时间', '替换时间'],
      history.references.map(r => [String(r.referenceVersion), formatInstant(r.enrolledAt), formatInstant(r.replacedAt)])),
    h('h2', {}, '操作审计'),
    table(`最近 ${history.audit.length} 条操作记录`, ['时间', '操作员', '岗位', '操作', '结果', '说明'],
      history.audit.map(a => [formatInstant(a.at), a.actor, a.role || '—', a.action, a.problemCode ? `${a.outcome} ${a.problemCode}` : String(a.outcome), a.detail ?? '—'])),
    h('p', {}, h('a', { href: '#/lists' }, '返回辖区名单')));
  // The state name is also given in words for screen readers that skip the badge styling.
  main.querySelector('.badge')?.setAttribute('aria-label', `资格状态：${stateName(profile.state)}`);
}
