// Home visits: requests by date and staff, schedule, complete with a photo taken on the visit, mark unsuccessful.
import { api, describeError, newIdempotencyKey } from '../api.js';
import { createCapture } from '../camera.js';
import { decisionView, rememberedServicePoint, rememberServicePoint, submitOfflineCertification } from '../certify.js';
import { announce, chinaDate, field, formatInstant, h, latestOnly, notice, replace, select, summary, table } from '../ui.js';

const visitStates = {
  Requested: '待安排', Scheduled: '已安排', Completed: '已完成', Cancelled: '已取消', Unsuccessful: '未成功', Expired: '已过期',
};
const visitReasons = [['bedridden', '卧床不起'], ['disabled', '行动不便（残疾）'], ['very-old', '高龄']];
const unsuccessfulReasons = [['not-at-home', '不在家'], ['found-deceased', '发现已故（转复核，不直接停发）'], ['refused', '本人拒绝认证']];
const cancelReasons = [['requested-by-pensioner', '本人申请取消'], ['certified-otherwise', '已通过其他方式认证'], ['duplicate', '重复申请'], ['other', '其他']];
const reasonName = value => Object.fromEntries([...visitReasons, ...unsuccessfulReasons, ...cancelReasons])[value] ?? value ?? '—';

export async function render(main, { session }) {
  const region = h('input', { type: 'text', name: 'region', inputmode: 'numeric', pattern: '\\d{6}', required: true, list: 'visit-regions', value: session.regions[0] ?? '' });
  const state = select([['', '全部状态'], ...Object.entries(visitStates)], { name: 'state' });
  const date = h('input', { type: 'date', name: 'date' });
  const staff = h('input', { type: 'text', name: 'staff', autocomplete: 'off' });
  const results = h('div');
  const detail = h('section', { 'aria-labelledby': 'visit-detail-heading' });
  let capture = null;
  const startListRequest = latestOnly();
  const startVisitRequest = latestOnly();

  async function loadList() {
    const isLatest = startListRequest();
    if (!region.checkValidity()) { replace(results, notice('error', '请填写 6 位行政区划代码。')); region.focus(); return; }
    const askedRegion = region.value;
    const query = new URLSearchParams({ region: askedRegion, pageSize: '100' });
    if (state.value) query.set('state', state.value);
    if (date.value) query.set('date', date.value);
    if (staff.value.trim()) query.set('staff', staff.value.trim());
    try {
      const page = await api(`/home-visits?${query}`);
      if (!isLatest()) return;
      replace(results, table(`${askedRegion} 的上门认证`, ['申请时间', '人员编号', '原因', '希望日期', '状态', '安排日期', '上门人员', '操作'],
        page.items.map(v => [
          formatInstant(v.requestedAt),
          h('a', { href: `#/pensioners/${encodeURIComponent(v.pensionerId)}` }, v.pensionerId),
          reasonName(v.reason), v.preferredDates.join('、'), visitStates[v.state] ?? v.state, v.scheduledOn ?? '—', v.assignedStaff ?? '—',
          h('button', { type: 'button', class: 'secondary', onclick: () => openVisit(v.visitId), 'aria-label': `办理 ${v.pensionerId} 的上门认证` }, '办理'),
        ])));
    } catch (e) {
      if (isLatest()) replace(results, notice('error', describeError(e)));
    }
  }

  async function post(path, body) {
    return api(path, { method: 'POST', body, headers: { 'Idempotency-Key': newIdempotencyKey() } });
  }

  async function openVisit(visitId, message) {
    const isLatest = startVisitRequest();
    capture?.stop();
    capture = null;
    let visit;
    try {
      visit = await api(`/home-visits/${encodeURIComponent(visitId)}`);
    } catch (e) {
      if (isLatest()) replace(detail, notice('error', describeError(e)));
      return;
    }
    if (!isLatest()) return;
    const heading = h('h2', { id: 'visit-detail-heading', tabindex: '-1' }, `上门认证：${visit.pensionerId}`);
    const error = h('div');
    replace(detail, heading, message ?? null, summary([
      ['状态', visitStates[visit.state] ?? visit.state],
      ['原因', reasonName(visit.reason)],
      ['联系电话', visit.contactPhone],
      ['地址', visit.address],
      ['希望日期', visit.preferredDates.join('、')],
      ['安排', visit.scheduledOn ? `${visit.scheduledOn}，${visit.assignedStaff}` : '—'],
      ['申请', `${formatInstant(visit.requestedAt)}（${visit.requestedByKind === 'operator' ? '经办员' : visit.requestedByKind === 'family' ? '家属' : '本人'} ${visit.requestedBy}）`],
      ...(visit.outcomeReason ? [['结果说明', reasonName(visit.outcomeReason)]] : []),
      ...(visit.certificationId ? [['认证编号', visit.certificationId]] : []),
    ]), error);
    const act = async (action, path, body, text) => {
      error.replaceChildren();
      try {
        await post(path, body);
        announce(text);
        await openVisit(visitId, notice('ok', text));
        await loadList();
      } catch (e) {
        error.replaceChildren(notice('error', describeError(e)));
      }
    };
    const open = visit.state === 'Requested' || visit.state === 'Scheduled';

    if (open) {
      const on = h('input', { type: 'date', name: 'scheduledOn', required: true, min: chinaDate(), value: visit.scheduledOn ?? visit.preferredDates[0] ?? '' });
      const who = h('input', { type: 'text', name: 'assignedStaff', required: true, autocomplete: 'off', value: visit.assignedStaff ?? session.operatorId });
      detail.append(h('form', { class: 'filters', novalidate: true, onsubmit: e => {
        e.preventDefault();
        if (!on.value || !who.value.trim()) { error.replaceChildren(notice('error', '请填写上门日期和上门人员。')); return; }
        act('schedule', `/home-visits/${encodeURIComponent(visitId)}/schedule`, { date: on.value, assignedStaff: who.value.trim() }, `已安排 ${on.value} 上门。`);
      } }, h('h3', {}, visit.state === 'Scheduled' ? '改期' : '安排上门'), field('上门日期', on), field('上门人员（操作员编号）', who), h('button', { type: 'submit' }, '保存安排')));
    }

    if (visit.state === 'Scheduled') {
      capture = createCapture({ name: 'visit-photo' });
      const servicePoint = h('input', { type: 'text', name: 'servicePoint', required: true, pattern: '[A-Za-z0-9\\-]{3,64}', value: rememberedServicePoint() || `${visit.regionCode}-home-visit`, autocomplete: 'off' });
      const checked = h('input', { type: 'checkbox', id: 'visit-id-checked', required: true });
      const progress = h('div', { 'aria-live': 'polite' });
      const complete = h('form', { class: 'stack', novalidate: true },
        h('h3', {}, '完成上门认证'),
        field('服务点编号', servicePoint),
        capture.element,
        h('div', { class: 'check' }, checked, h('label', { for: 'visit-id-checked' }, '我已在上门时当面核验本人身份证件原件，照片为本人现场拍摄')),
        h('div', { class: 'actions' }, h('button', { type: 'submit' }, '提交照片并完成')),
        progress);
      complete.addEventListener('submit', async e => {
        e.preventDefault();
        progress.replaceChildren();
        const photo = capture.photo();
        if (!photo || !checked.checked || !servicePoint.checkValidity()) {
          progress.append(notice('error', '请拍摄照片、填写服务点编号，并确认已核验证件。'));
          return;
        }
        rememberServicePoint(servicePoint.value);
        const step = h('p', { role: 'status' });
        progress.append(step);
        try {
          const record = await submitOfflineCertification({ pensionerId: visit.pensionerId, channel: 'home-visit', servicePoint: servicePoint.value, visitId, photo },
            text => { step.textContent = text; });
          progress.replaceChildren(decisionView(record));
          if (record.status === 'Approved' || record.status === 'NeedsReview') {
            await act('complete', `/home-visits/${encodeURIComponent(visitId)}/complete`, { certificationId: record.certificationId },
              record.status === 'Approved' ? '上门认证已完成：认证通过。' : '上门认证已完成：照片已转人工复核。');
          } else {
            capture.reset();
          }
        } catch (err) {
          progress.replaceChildren(notice('error', err.message && !err.status ? err.message : describeError(err)));
        }
      });
      const reason = select(unsuccessfulReasons, { name: 'unsuccessfulReason' });
      detail.append(complete, h('form', { class: 'filters', onsubmit: e => {
        e.preventDefault();
        act('unsuccessful', `/home-visits/${encodeURIComponent(visitId)}/unsuccessful`, { reason: reason.value }, '已记录：本次上门未成功。');
      } }, h('h3', {}, '上门未成功'), field('原因', reason), h('button', { type: 'submit', class: 'secondary' }, '记录未成功')));
    }

    if (open) {
      const reason = select(cancelReasons, { name: 'cancelReason' });
      detail.append(h('form', { class: 'filters', onsubmit: e => {
        e.preventDefault();
        act('cancel', `/home-visits/${encodeURIComponent(visitId)}/cancel`, { reason: reason.value }, '已取消上门申请。');
      } }, h('h3', {}, '取消申请'), field('取消原因', reason), h('button', { type: 'submit', class: 'secondary' }, '取消申请')));
    }
    heading.focus();
  }

  function requestForm() {
    const pensionerId = h('input', { type: 'text', name: 'pensionerId', required: true, autocomplete: 'off', pattern: 'p[0-9a-f]{32}' });
    const reason = select(visitReasons, { name: 'visitReason' });
    const phone = h('input', { type: 'tel', name: 'contactPhone', required: true, autocomplete: 'off' });
    const address = h('input', { type: 'text', name: 'address', required: true, minlength: '5', maxlength: '200', autocomplete: 'off' });
    const preferred = h('input', { type: 'date', name: 'preferredDate', required: true });
    const error = h('div');
    const form = h('form', { class: 'stack', novalidate: true },
      field('人员编号', pensionerId, '在辖区名单或人员详情中可查到。'), field('上门原因', reason), field('联系电话', phone), field('上门地址', address),
      field('希望上门日期', preferred), error, h('div', { class: 'actions' }, h('button', { type: 'submit' }, '提交申请')));
    form.addEventListener('submit', async e => {
      e.preventDefault();
      error.replaceChildren();
      if (!form.checkValidity()) { error.append(notice('error', '请完整填写人员编号、电话、地址和希望日期。')); form.querySelector(':invalid')?.focus(); return; }
      try {
        const visit = await post('/home-visits', { pensionerId: pensionerId.value.trim(), reason: reason.value, contactPhone: phone.value.trim(), address: address.value.trim(), preferredDates: [preferred.value] });
        form.reset();
        form.closest('details').open = false;
        announce('上门申请已登记');
        await loadList();
        await openVisit(visit.visitId, notice('ok', '上门申请已登记，请安排日期和人员。'));
      } catch (err) {
        error.append(notice('error', describeError(err)));
      }
    });
    return h('details', {}, h('summary', {}, '登记上门申请（代本人或家属申请）'), form);
  }

  main.append(
    h('h1', {}, '上门认证'),
    h('form', { class: 'filters', onsubmit: e => { e.preventDefault(); loadList(); } },
      field('行政区划代码', region), h('datalist', { id: 'visit-regions' }, session.regions.map(r => h('option', { value: r }))),
      field('状态', state), field('安排日期', date), field('上门人员', staff),
      h('button', { type: 'submit' }, '查询')),
    requestForm(), results, detail);
  await loadList();
  return () => capture?.stop();
}
