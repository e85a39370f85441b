// Counter and community certification: find the pensioner, capture with the webcam (or upload), attest, submit, see the decision.
import { api, describeError } from '../api.js';
import { createCapture } from '../camera.js';
import { decisionView, rememberedServicePoint, rememberServicePoint, submitOfflineCertification } from '../certify.js';
import { announce, field, h, maskName, notice, replace, statusBadge, summary } from '../ui.js';

export async function render(main) {
  let pensioner = null;
  const idNumber = h('input', { type: 'text', name: 'idNumber', autocomplete: 'off', spellcheck: 'false', maxlength: '18', pattern: '\\d{15}|\\d{17}[\\dXx]', required: true });
  const found = h('div', { id: 'counter-pensioner' });
  const lookup = h('form', { class: 'filters', novalidate: true },
    field('身份证号码', idNumber, '核验身份证原件后输入；查找后屏幕上只显示脱敏号码。'),
    h('button', { type: 'submit' }, '查找'));

  const channel = name => h('input', { type: 'radio', name: 'channel', value: name, id: `channel-${name}`, checked: name === 'counter' });
  const servicePoint = h('input', { type: 'text', name: 'servicePoint', required: true, pattern: '[A-Za-z0-9\\-]{3,64}', value: rememberedServicePoint(), autocomplete: 'off' });
  const idChecked = h('input', { type: 'checkbox', name: 'idDocumentChecked', id: 'id-document-checked', required: true });
  const capture = createCapture({ name: 'counter-photo' });
  const submit = h('button', { type: 'submit' }, '提交认证');
  const result = h('div', { id: 'counter-result', 'aria-live': 'polite' });
  const certify = h('form', { class: 'stack', novalidate: true, hidden: true },
    h('h2', {}, '现场拍照认证'),
    h('fieldset', {}, h('legend', {}, '认证地点'),
      h('div', { class: 'check' }, channel('counter'), h('label', { for: 'channel-counter' }, '经办柜台')),
      h('div', { class: 'check' }, channel('community'), h('label', { for: 'channel-community' }, '社区服务中心'))),
    field('服务点编号', servicePoint, '例如 110105-counter-01（本机会记住）。'),
    capture.element,
    h('div', { class: 'check' }, idChecked, h('label', { for: 'id-document-checked' }, '我已当面核验本人身份证件原件，照片为本人现场拍摄')),
    h('div', { class: 'actions' }, submit),
    result);

  // The pensioner panel: masked identity and standing as last read.
  const showPensioner = () => replace(found,
    h('h2', {}, '人员信息'),
    summary([
      ['身份证号', pensioner.idNumber],
      ['姓名', maskName(pensioner.name)],
      ['人员编号', h('a', { href: `#/pensioners/${encodeURIComponent(pensioner.pensionerId)}` }, pensioner.pensionerId)],
      ['行政区划', pensioner.regionCode],
      ['资格状态', h('span', { id: 'counter-pensioner-state' }, statusBadge(pensioner.state))],
      ['有效期至', h('span', { id: 'counter-pensioner-valid-until' }, pensioner.validUntil ?? '—')],
    ]));

  // After a decision the standing may have changed (an approval restarts the year): read it again and update the
  // panel's standing and due date in place (the rest of the panel, the masked identity, does not change).
  const refreshStanding = async pensionerId => {
    try {
      const profile = await api(`/pensioners/${encodeURIComponent(pensionerId)}`);
      if (pensioner?.pensionerId !== pensionerId) return; // another pensioner was looked up meanwhile
      pensioner = { ...pensioner, state: profile.state, validUntil: profile.validUntil };
      found.querySelector('#counter-pensioner-state')?.replaceChildren(statusBadge(profile.state));
      found.querySelector('#counter-pensioner-valid-until')?.replaceChildren(profile.validUntil ?? '—');
    } catch (e) {
      if (pensioner?.pensionerId !== pensionerId) return;
      found.querySelector('#counter-pensioner-state')?.replaceChildren(statusBadge(pensioner.state), `（认证后无法刷新资格状态：${describeError(e)}）`);
    }
  };

  lookup.addEventListener('submit', async event => {
    event.preventDefault();
    replace(found);
    certify.hidden = true;
    if (!idNumber.checkValidity()) {
      found.append(notice('error', '身份证号码应为 18 位（末位可为 X）或 15 位数字。'));
      idNumber.focus();
      return;
    }
    try {
      pensioner = await api('/pensioner-lookups', { method: 'POST', body: { idNumber: idNumber.value.trim() } });
    } catch (e) {
      found.append(notice('error', describeError(e)));
      return;
    } finally {
      // The full number leaves the screen as soon as it has been looked up.
      idNumber.value = '';
    }
    showPensioner();
    certify.hidden = false;
    replace(result);
    announce(`已找到人员 ${pensioner.idNumber}`);
    found.querySelector('h2').tabIndex = -1;
    found.querySelector('h2').focus();
  });

  certify.addEventListener('submit', async event => {
    event.preventDefault();
    replace(result);
    const photo = capture.photo();
    const problems = [];
    if (!pensioner) problems.push('请先查找人员。');
    if (!servicePoint.checkValidity()) problems.push('服务点编号应为 3-64 位字母、数字或横线。');
    if (!photo) problems.push('请先拍照或上传照片。');
    if (!idChecked.checked) problems.push('请确认已核验身份证件原件。');
    if (problems.length) {
      result.append(notice('error', h('ul', {}, problems.map(p => h('li', {}, p)))));
      return;
    }
    rememberServicePoint(servicePoint.value);
    const submittedFor = pensioner.pensionerId;
    submit.disabled = true;
    const progress = h('p', { role: 'status' });
    result.append(progress);
    try {
      const record = await submitOfflineCertification({
        pensionerId: submittedFor, channel: certify.elements.channel.value, servicePoint: servicePoint.value, photo,
      }, text => { progress.textContent = text; });
      replace(result, decisionView(record));
      announce(`认证结果：${record.status}`);
      await refreshStanding(submittedFor);
      capture.stop();
      if (record.status === 'Rejected' || record.status === 'Failed') capture.reset();
    } catch (e) {
      replace(result, notice('error', e.message && !e.status ? e.message : describeError(e)));
    } finally {
      submit.disabled = false;
    }
  });

  main.append(
    h('h1', {}, '柜台与社区认证'),
    h('p', { class: 'hint' }, '为不便使用手机的人员现场认证：查找人员，拍摄本人照片，确认已核验证件后提交。比对不一致时转人工复核，不会直接驳回。'),
    lookup, found, certify);
  return () => capture.stop();
}
