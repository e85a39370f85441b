// Submitting a photo an operator captured (counter, community centre, home visit) and waiting for the decision.
import { api, newIdempotencyKey } from './api.js';
import { channelName, formatScore, h, statusBadge, summary } from './ui.js';

const servicePointKey = 'pensioncert.console.servicePoint';
export const rememberedServicePoint = () => localStorage.getItem(servicePointKey) ?? '';
export const rememberServicePoint = value => localStorage.setItem(servicePointKey, value);

/**
 * POST /offline-certifications (multipart) and poll until decided. onProgress(text) reports each step. Returns the
 * decided certification. The Idempotency-Key makes a retried submission (e.g. after a network error) safe.
 */
export async function submitOfflineCertification({ pensionerId, channel, servicePoint, visitId, photo }, onProgress, signal) {
  const form = new FormData();
  form.append('pensionerId', pensionerId);
  form.append('channel', channel);
  form.append('servicePoint', servicePoint);
  form.append('idDocumentChecked', 'true');
  if (visitId) form.append('visitId', visitId);
  form.append('photo', photo, 'capture.jpg');
  onProgress('正在上传照片…');
  const accepted = await api('/offline-certifications', { method: 'POST', body: form, headers: { 'Idempotency-Key': newIdempotencyKey() } });
  onProgress('照片已提交，正在比对…');
  const deadline = Date.now() + 120_000;
  for (;;) {
    const record = await api(`/offline-certifications/${encodeURIComponent(accepted.certificationId)}`);
    if (!['Pending', 'Processing'].includes(record.status)) return record;
    if (Date.now() > deadline || signal?.aborted) throw new Error('比对时间较长，请稍后在人员详情中查看结果。');
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
}

const outcomeText = {
  Approved: '认证通过：资格已确认。',
  NeedsReview: '已转人工复核：复核员将比对登记照片后决定，期间不会暂停发放。',
  Rejected: '未通过：请按提示重新拍摄。',
  Failed: '处理失败：请重新提交。',
};

/** The decision as the operator sees it. */
export function decisionView(record) {
  return h('div', { class: `notice ${record.status === 'Approved' ? 'ok' : record.status === 'NeedsReview' ? 'warn' : 'error'}`, role: 'status' },
    h('p', {}, h('strong', {}, outcomeText[record.status] ?? record.status)),
    summary([
      ['结果', statusBadge(record.status)],
      ['渠道', channelName(record.channel)],
      ['相似度', `${formatScore(record.similarityScore)}（通过阈值 ${formatScore(record.threshold)}）`],
      ['活体概率', formatScore(record.livenessScore)],
      ['原因', record.reasons?.length ? h('ul', {}, record.reasons.map(r => h('li', {}, r.message))) : '—'],
      ['认证编号', record.certificationId],
    ]));
}
