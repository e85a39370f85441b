// Small DOM helpers: build elements without innerHTML (nothing from the API is ever parsed as HTML).

/** h('p', {class: 'x'}, 'text', child): an element with attributes, properties (on*, value, checked) and children. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'value' || name === 'checked' || name === 'disabled' || name === 'selected') element[name] = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Orders the answers of a repeated request: each call of the returned function starts a request and gives back a
 * check that is true only while no later request was started. A page renders an answer only when its check is still
 * true, so a slow earlier answer (e.g. the list loaded when the page opened) never overwrites a later one.
 */
export function latestOnly() {
  let issued = 0;
  return () => {
    const ticket = ++issued;
    return () => ticket === issued;
  };
}

/** Replaces the children of an element. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

let fieldCounter = 0;
/** A labelled control: returns [wrapper, control]. */
export function field(label, control, hint) {
  const id = control.id || `f${++fieldCounter}`;
  control.id = id;
  const parts = [h('label', { for: id }, label), control];
  if (hint) {
    const hintId = `${id}-hint`;
    control.setAttribute('aria-describedby', hintId);
    parts.push(h('p', { class: 'hint', id: hintId }, hint));
  }
  return h('div', { class: 'field' }, parts);
}

/** A select with [value, text] options. */
export function select(options, attributes = {}) {
  return h('select', attributes, options.map(([value, text]) => h('option', { value }, text)));
}

/** Announces a message to screen readers (and shows it where a notice element is given). */
export function announce(message) {
  const announcer = document.getElementById('announcer');
  if (!announcer) return;
  announcer.textContent = '';
  setTimeout(() => { announcer.textContent = message; }, 50);
}

/** A notice box: kind is '', 'ok', 'warn' or 'error'. Errors are announced assertively. */
export function notice(kind, ...children) {
  return h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}

/** A table with a caption, header row and rows of cells (strings or nodes). */
export function table(caption, headers, rows, numericColumns = []) {
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map((text, i) => h('th', { scope: 'col', class: numericColumns.includes(i) ? 'num' : null }, text)))),
    h('tbody', {}, rows.length === 0
      ? h('tr', {}, h('td', { colspan: headers.length }, '暂无记录'))
      : rows.map(cells => h('tr', {}, cells.map((cell, i) => h('td', { class: numericColumns.includes(i) ? 'num' : null }, cell)))))));
}

/** A definition list of [term, value] pairs. */
export function summary(pairs) {
  return h('dl', { class: 'summary' }, pairs.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value ?? '—')]));
}

const stateNames = {
  NeverCertified: '尚未认证', Valid: '有效', DueSoon: '即将到期', Overdue: '逾期未认证', UnderInvestigation: '调查中',
  Suspended: '已暂停发放', Deceased: '已故', Transferred: '已转出',
};
export const stateName = state => stateNames[state] ?? state ?? '—';

const statusNames = {
  Pending: '排队中', Processing: '比对中', Approved: '通过', Rejected: '未通过', NeedsReview: '待人工复核', Failed: '处理失败',
};
export const statusName = status => statusNames[status] ?? status ?? '—';

/** A status badge whose meaning is in its text, never in its colour alone. */
export function statusBadge(status) {
  const kind = status === 'Approved' || status === 'Valid' ? 'ok'
    : status === 'Rejected' || status === 'Failed' || status === 'Suspended' || status === 'Deceased' ? 'bad' : 'warn';
  return h('span', { class: `badge ${kind}` }, statusNames[status] ?? stateNames[status] ?? status);
}

const channelNames = {
  wechat: '微信', alipay: '支付宝', 'e-ssc': '电子社保卡', app: '社保 App', counter: '经办柜台', community: '社区服务中心',
  'home-visit': '上门认证', 'data-comparison': '数据比对', 'family-assisted': '亲情认证',
};
export const channelName = channel => channelNames[channel] ?? channel ?? '—';

const dateTime = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short' });
/** An instant shown in China Standard Time. */
export const formatInstant = value => (value ? dateTime.format(new Date(value)) : '—');

/** A similarity or liveness score with two decimals. */
export const formatScore = value => (typeof value === 'number' ? value.toFixed(2) : '—');

/** How long ago an instant was, in days and hours. */
export function formatAge(value, now = Date.now()) {
  if (!value) return '—';
  const hours = Math.max(0, Math.floor((now - Date.parse(value)) / 3_600_000));
  return hours >= 24 ? `${Math.floor(hours / 24)} 天 ${hours % 24} 小时` : `${hours} 小时`;
}

/** A name shown with only its first character (张**). */
export const maskName = name => (name ? name[0] + '*'.repeat(Math.max(1, [...name].length - 1)) : '—');

/** Saves text as a file (UTF-8 with a byte order mark so spreadsheet programs read Chinese). */
export function download(fileName, text, type = 'text/csv') {
  const blob = new Blob(['\uFEFF', text], { type: `${type};charset=utf-8` });
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** RFC 4180 CSV of rows of cells. */
export function toCsv(rows) {
  const cell = value => {
    const text = value === null || value === undefined ? '' : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return rows.map(row => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** China Standard Time calendar date of an instant (yyyy-MM-dd). */
export function chinaDate(instant = new Date()) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}
