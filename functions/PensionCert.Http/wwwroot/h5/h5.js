// The pensioner's certification page (H5). Opened by a channel app with #token=… ; the token is the only credential
// the page holds. Screens, one action each: consent → how to hold the phone → camera → one screen per action →
// waiting → result. Frames are sent unmirrored, 480 px wide JPEG, a short burst per action.
const API = (document.querySelector('meta[name="pensioncert-api"]')?.content || '/api').replace(/\/$/, '');
const FRAMES_PER_ACTION = 8;
const FRAME_INTERVAL_MS = 300;
const FRAME_WIDTH = 480;
const DECIDED = ['Approved', 'Rejected', 'NeedsReview', 'Failed'];

const ACTIONS = {
  'turn-left': { title: '请向左转头', text: '听到提示后，慢慢把头转向您的左边，再转回来看着屏幕。', picture: arrowPicture(-1) },
  'turn-right': { title: '请向右转头', text: '听到提示后，慢慢把头转向您的右边，再转回来看着屏幕。', picture: arrowPicture(1) },
  'blink': { title: '请眨眨眼', text: '看着屏幕，慢慢眨两下眼睛。戴眼镜的请先摘下眼镜。', picture: eyePicture() },
};

const main = document.getElementById('main');
const announcer = document.getElementById('announcer');
const muteButton = document.getElementById('mute');
let muted = localStorage.getItem('pensioncert-muted') === 'true';
let session = null;
let token = null;
let stream = null;
let hintTimer = null;

// ---------- small DOM helpers ----------
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) {
    if (k === 'class') node.className = v; else if (k.startsWith('on')) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}
function button(text, onclick, kind = 'primary') { return el('button', { type: 'button', class: kind, onclick }, text); }
function svg(markup, label) {
  const wrapper = el('div');
  wrapper.innerHTML = markup;
  const picture = wrapper.firstElementChild;
  picture.setAttribute('role', 'img');
  picture.setAttribute('aria-label', label);
  return picture;
}
function screen(name, title, ...content) {
  stopHints();
  document.body.dataset.screen = name;
  const heading = el('h1', {}, title);
  main.replaceChildren(heading, ...content);
  document.title = `${title} · 养老金资格认证`;
  main.focus();
  announcer.textContent = title;
}
function speak(text) {
  return new Promise(resolve => {
    if (muted || !('speechSynthesis' in window)) { setTimeout(resolve, 1200); return; }
    speechSynthesis.cancel();
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = 'zh-CN';
    utterance.rate = 0.85;
    let done = false;
    const finish = () => { if (!done) { done = true; resolve(); } };
    utterance.onend = finish;
    utterance.onerror = finish;
    setTimeout(finish, 8000); // some web views never fire onend
    speechSynthesis.speak(utterance);
  });
}
function renderMute() {
  muteButton.textContent = muted ? '声音：关' : '声音：开';
  muteButton.setAttribute('aria-pressed', String(muted));
}
muteButton.addEventListener('click', () => {
  muted = !muted;
  localStorage.setItem('pensioncert-muted', String(muted));
  if (muted && 'speechSynthesis' in window) speechSynthesis.cancel();
  renderMute();
});

// ---------- API ----------
async function api(path, options = {}) {
  const response = await fetch(API + path, { ...options, headers: { 'X-Session-Token': token, ...(options.headers || {}) }, cache: 'no-store' });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(body.code || String(response.status)), { problem: body, status: response.status });
  return body;
}
const readSession = () => api('/page/session');

// ---------- screens ----------
function consentScreen() {
  screen('consent', '使用人脸信息的同意',
    el('p', {}, '为确认是您本人在领取养老金，本次认证需要拍摄您的面部画面，并与社保登记照片比对。'),
    el('ul', {},
      el('li', {}, '人脸信息属于敏感个人信息，只用于本次养老金资格认证。'),
      el('li', {}, '拍摄的画面在比对后删除；用于核对的一张照片按规定期限保存后删除。'),
      el('li', {}, '您可以不同意。不同意的，可以到社保经办窗口、社区服务中心办理，或申请上门认证，不影响领取养老金。')),
    button('我同意，开始认证', tipsScreen),
    button('不同意，看看其他办理方式', () => otherWaysScreen(consentScreen), 'secondary'));
}

function tipsScreen() {
  screen('tips', '拍摄前请准备',
    svg('<svg class="action-picture" viewBox="0 0 160 160"><circle cx="80" cy="60" r="34" fill="#f3d2b3" stroke="#1a1a1a" stroke-width="4"/><rect x="52" y="100" width="56" height="52" rx="8" fill="#ffffff" stroke="#0b5cad" stroke-width="6"/><line x1="80" y1="96" x2="80" y2="100" stroke="#1a1a1a" stroke-width="4"/></svg>', '手机拿在面前，与脸同高'),
    el('ul', {},
      el('li', {}, '到光线明亮的地方，不要背对窗户或灯光。'),
      el('li', {}, '摘下帽子、口罩和墨镜。'),
      el('li', {}, '手机拿在面前，和脸一样高，离脸约一臂远。'),
      el('li', {}, '画面里只留您一个人。')),
    button('我准备好了', cameraScreen));
}

async function cameraScreen() {
  if (!navigator.mediaDevices?.getUserMedia) return fallbackScreen(0);
  try {
    stream = stream || await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user', width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
  } catch {
    return fallbackScreen(0);
  }
  const video = el('video', { autoplay: '', playsinline: '', muted: '', 'aria-label': '摄像头画面' });
  video.muted = true;
  video.srcObject = stream;
  const hint = el('p', { class: 'hint', role: 'status', 'aria-live': 'polite' }, '请把脸放进框内');
  const outline = svg('<svg viewBox="0 0 300 400" preserveAspectRatio="none"><ellipse cx="150" cy="180" rx="95" ry="125" fill="none" stroke="#ffffff" stroke-width="6" stroke-dasharray="14 10"/></svg>', '人脸框');
  screen('camera', '请把脸放进框内', el('div', { class: 'camera' }, video, outline), hint,
    el('p', { class: 'steps' }, `接下来共有 ${session.challenge.actions.length} 个动作，每次只做一个，请听提示。`),
    button('开始认证', () => actionScreen(0, video)));
  await video.play().catch(() => {});
  startHints(video, hint);
}

async function actionScreen(step, video) {
  const action = session.challenge.actions[step];
  const info = ACTIONS[action];
  const status = el('p', { class: 'hint', role: 'status', 'aria-live': 'polite' }, '请听提示');
  const keep = el('div', { class: 'camera' }, video);
  screen('action', info.title, info.picture.cloneNode(true), el('p', {}, info.text), keep, status,
    el('p', { class: 'steps' }, `第 ${step + 1} 个动作，共 ${session.challenge.actions.length} 个`));
  document.body.dataset.action = action;
  await video.play().catch(() => {});
  await speak(`${info.title}。${info.text}`);
  status.textContent = '正在拍摄，请按提示慢慢做动作';
  document.body.dataset.capturing = 'true';
  const frames = [];
  for (let i = 0; i < FRAMES_PER_ACTION; i++) {
    frames.push(await grab(video));
    await new Promise(r => setTimeout(r, FRAME_INTERVAL_MS));
  }
  delete document.body.dataset.capturing;
  status.textContent = '拍好了，正在上传';
  await uploadStep(step, frames, () => actionScreen(step, video));
  if (step + 1 < session.challenge.actions.length) return actionScreen(step + 1, video);
  stopCamera();
  return submit();
}

function grab(source) {
  const width = source.videoWidth || source.naturalWidth || source.width;
  const height = source.videoHeight || source.naturalHeight || source.height;
  const canvas = document.createElement('canvas');
  canvas.width = FRAME_WIDTH;
  canvas.height = Math.round(height * FRAME_WIDTH / width);
  canvas.getContext('2d').drawImage(source, 0, 0, canvas.width, canvas.height);
  return new Promise(resolve => canvas.toBlob(resolve, 'image/jpeg', 0.8));
}

async function uploadStep(step, frames, retake) {
  const form = new FormData();
  form.append('nonce', session.challenge.nonce);
  form.append('step', String(step));
  frames.forEach((frame, i) => form.append('frame', frame, `f${i}.jpg`));
  try {
    await api('/page/session/frames', { method: 'POST', body: form });
  } catch (error) {
    if (error.problem?.code) return endWithProblem(error.problem);
    await new Promise(resolve => screen('error', '网络不太好', el('p', {}, '画面没有传上去。请到信号好的地方，再点“重新拍这个动作”。'),
      button('重新拍这个动作', () => { resolve(); retake(); })));
    throw new Error('retaken');
  }
}

async function submit() {
  screen('waiting', '正在核验，请稍候', el('div', { class: 'spinner', 'aria-hidden': 'true' }), el('p', {}, '一般几秒钟就好，请不要关闭页面。'));
  try {
    await api('/page/session/submit', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ nonce: session.challenge.nonce }) });
  } catch (error) {
    return endWithProblem(error.problem || {});
  }
  return waitForResult();
}

async function waitForResult() {
  for (;;) {
    try {
      session = await readSession();
      if (DECIDED.includes(session.status)) return resultScreen(session);
    } catch (error) {
      if (error.problem?.code) return endWithProblem(error.problem);
    }
    await new Promise(r => setTimeout(r, 1500));
  }
}

function resultScreen(view) {
  const reasons = (view.reasons || []).map(r => el('p', { class: 'reason', 'data-reason': r.code }, r.message));
  if (view.status === 'Approved') {
    return screen('result', '认证成功', el('p', { class: 'result-ok' }, '您本年度的养老金资格认证已经完成，不需要再做其他操作。'),
      ...returnButton(view, '返回'));
  }
  if (view.status === 'NeedsReview') {
    return screen('result', '已转人工审核', ...reasons,
      el('p', {}, '工作人员会尽快审核，结果会通过短信或办理渠道告诉您。请不要重复认证。'), ...returnButton(view, '返回'));
  }
  return failedScreen(view.state === 'expired' ? '认证已超时' : '本次认证没有通过', reasons, view);
}

function failedScreen(title, reasons, view) {
  screen('result', title, ...reasons,
    el('p', {}, '您可以选择：'),
    ...returnButton(view, '重新认证'),
    button('到窗口或社区办理', () => counterScreen(() => failedScreen(title, reasons, view)), 'secondary'),
    button('申请上门认证', () => homeVisitScreen(() => failedScreen(title, reasons, view)), 'secondary'));
}

function returnButton(view, text) {
  if (view?.returnUrl) return [el('a', { class: 'button primary', href: view.returnUrl }, text)];
  return [el('p', { class: 'hint' }, text === '重新认证' ? '重新认证：请返回办理页面，再点一次“开始认证”。' : '请返回办理页面。')];
}

function endWithProblem(problem) {
  stopCamera();
  const titles = { 'session-expired': '认证已超时', 'session-already-used': '认证链接已使用', 'session-token-invalid': '认证链接无效' };
  const reason = el('p', { class: 'reason', 'data-reason': problem.code || 'error' }, problem.message || '系统繁忙，请稍后再试。');
  return failedScreen(titles[problem.code] || '本次认证没有完成', [reason], session);
}

function otherWaysScreen(back) {
  screen('other-ways', '其他办理方式',
    el('p', {}, '不用手机也能认证：'),
    button('到窗口或社区办理', () => counterScreen(() => otherWaysScreen(back)), 'secondary'),
    button('申请上门认证', () => homeVisitScreen(() => otherWaysScreen(back)), 'secondary'),
    button('返回', back));
}

function counterScreen(back) {
  screen('counter', '到窗口或社区办理',
    el('p', {}, '请带上本人身份证，到当地社保经办窗口或社区服务中心，工作人员会帮您当面完成认证。'),
    el('p', {}, '不清楚地址的，可拨打 12333 咨询。'),
    button('返回', back));
}

// The request goes to the API with the session token (POST /page/session/home-visit-request): the pensioner is the
// session's, so the page asks only for the reason, a phone number, the address and a day.
const VISIT_REASONS = [['very-old', '年纪大，出门不方便'], ['bedridden', '卧床不起'], ['disabled', '残疾，行动不便']];

function homeVisitScreen(back) {
  const reasons = el('fieldset', { class: 'choices' }, el('legend', {}, '为什么需要上门'),
    ...VISIT_REASONS.map(([value, text], i) => el('label', { class: 'choice' },
      Object.assign(el('input', { type: 'radio', name: 'reason', value }), { checked: i === 0 }), text)));
  const phone = el('input', { type: 'tel', id: 'visit-phone', name: 'contactPhone', autocomplete: 'tel', inputmode: 'tel', maxlength: '20' });
  const address = el('input', { type: 'text', id: 'visit-address', name: 'address', autocomplete: 'street-address', maxlength: '200' });
  const day = el('input', { type: 'date', id: 'visit-date', name: 'preferredDate', min: chinaDate(1), max: chinaDate(60), value: chinaDate(1) });
  const status = el('div', { role: 'status', 'aria-live': 'polite' });
  // A retry of the same request (e.g. after a network error) keeps its Idempotency-Key; a corrected one gets a new key.
  let sentBody = null;
  let idempotencyKey = null;
  const send = button('提交上门申请', async () => {
    status.replaceChildren();
    const reason = reasons.querySelector('input:checked')?.value;
    if (!phone.value.trim() || address.value.trim().length < 5 || !day.value) {
      status.append(el('p', { class: 'reason', 'data-reason': 'form-incomplete' }, '请填写联系电话、详细住址和希望上门的日期。'));
      (phone.value.trim() ? address.value.trim().length < 5 ? address : day : phone).focus();
      return;
    }
    const body = JSON.stringify({ reason, contactPhone: phone.value.trim(), address: address.value.trim(), preferredDates: [day.value] });
    if (body !== sentBody) { sentBody = body; idempotencyKey = crypto.randomUUID(); }
    send.disabled = true;
    try {
      const visit = await api('/page/session/home-visit-request', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
        body,
      });
      return homeVisitRequestedScreen(visit, back);
    } catch (error) {
      send.disabled = false;
      const code = error.problem?.code;
      if (code === 'home-visit-already-open') return homeVisitRequestedScreen(null, back);
      const message = code === 'session-token-invalid'
        ? '认证链接已失效，无法在线申请。请本人或家人拨打 12333，或联系所在社区服务中心。'
        : error.problem?.message || '网络不好，没有提交成功，请再按一次“提交上门申请”。';
      status.append(el('p', { class: 'reason', 'data-reason': code || 'error' }, message));
    }
  });
  screen('home-visit', '申请上门认证',
    el('p', {}, '卧床、行动不便或年纪很大的老人，可以请工作人员上门认证。'),
    reasons,
    el('label', { class: 'field-label', for: 'visit-phone' }, '联系电话'), phone,
    el('label', { class: 'field-label', for: 'visit-address' }, '上门地址（写到门牌号）'), address,
    el('label', { class: 'field-label', for: 'visit-date' }, '希望哪天上门'), day,
    status, send,
    el('p', {}, '也可以由本人或家人拨打 12333，或联系所在社区服务中心申请。'),
    button('返回', back, 'secondary'));
}

function homeVisitRequestedScreen(visit, back) {
  screen('home-visit-requested', visit ? '上门申请已提交' : '已有上门申请',
    el('p', { class: 'result-ok', 'data-visit-state': visit?.state || 'open' }, visit
      ? `我们已收到您的申请。工作人员会打电话和您约定上门时间（您希望的日期：${visit.preferredDates.join('、')}）。`
      : '您已经申请过上门认证，工作人员会打电话和您约定时间，请不要重复申请。'),
    el('p', {}, '上门认证办完之前，不会因为没有认证而停发养老金。'),
    ...returnButton(session, '返回'),
    button('返回上一页', back, 'secondary'));
}

/** A China date (yyyy-MM-dd) some days from today. */
function chinaDate(daysAhead = 0) {
  const at = new Date(Date.now() + daysAhead * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

// ---------- file input fallback (no live camera in this web view) ----------
function fallbackScreen(step) {
  const action = session.challenge.actions[step];
  const info = ACTIONS[action];
  const input = el('input', { type: 'file', id: 'capture', accept: 'video/*,image/*', capture: 'user', multiple: '' });
  const status = el('p', { class: 'hint', role: 'status', 'aria-live': 'polite' }, '点“打开相机录像”，录好后会自动上传');
  input.addEventListener('change', async () => {
    status.textContent = '正在处理，请稍候';
    const frames = await framesFromFiles([...input.files]);
    if (frames.length === 0) { status.textContent = '没有读到画面，请再拍一次'; return; }
    await uploadStep(step, frames, () => fallbackScreen(step));
    if (step + 1 < session.challenge.actions.length) fallbackScreen(step + 1); else submit();
  });
  document.body.dataset.action = action;
  screen('fallback', info.title, info.picture.cloneNode(true),
    el('p', {}, `请用手机相机录一段 3 秒左右的视频：${info.text}`),
    el('label', { class: 'button file-label', for: 'capture' }, '打开相机录像'), input, status,
    el('p', { class: 'steps' }, `第 ${step + 1} 个动作，共 ${session.challenge.actions.length} 个`));
}

async function framesFromFiles(files) {
  const frames = [];
  for (const file of files) {
    if (file.type.startsWith('video/')) {
      const video = el('video', { muted: '', playsinline: '' });
      video.src = URL.createObjectURL(file);
      await new Promise(r => { video.onloadeddata = r; video.onerror = r; });
      const duration = isFinite(video.duration) ? video.duration : 0;
      for (let i = 0; i < FRAMES_PER_ACTION && duration > 0; i++) {
        video.currentTime = duration * (i + 0.5) / FRAMES_PER_ACTION;
        await new Promise(r => { video.onseeked = r; });
        frames.push(await grab(video));
      }
    } else if (file.type.startsWith('image/') && frames.length < FRAMES_PER_ACTION) {
      const image = new Image();
      image.src = URL.createObjectURL(file);
      await image.decode().catch(() => {});
      if (image.naturalWidth) frames.push(await grab(image));
    }
  }
  return frames.slice(0, FRAMES_PER_ACTION);
}

// ---------- live hints (no countdown: nothing here fails the user) ----------
function startHints(video, hint) {
  const probe = document.createElement('canvas');
  probe.width = 48; probe.height = 64;
  const context = probe.getContext('2d', { willReadFrequently: true });
  const detector = 'FaceDetector' in window ? new window.FaceDetector({ fastMode: true, maxDetectedFaces: 3 }) : null;
  hintTimer = setInterval(async () => {
    if (!video.videoWidth) return;
    context.drawImage(video, 0, 0, probe.width, probe.height);
    const pixels = context.getImageData(0, 0, probe.width, probe.height).data;
    let sum = 0;
    for (let i = 0; i < pixels.length; i += 4) sum += 0.299 * pixels[i] + 0.587 * pixels[i + 1] + 0.114 * pixels[i + 2];
    const brightness = sum / (pixels.length / 4);
    let text = '很好，请保持不动，然后点“开始认证”';
    if (brightness < 50) text = '光线太暗，请到明亮的地方';
    else if (detector) {
      const faces = await detector.detect(video).catch(() => null);
      if (faces && faces.length === 0) text = '请把脸放进框内';
      else if (faces && faces.length > 1) text = '画面里只能有您一个人';
      else if (faces && faces[0].boundingBox.width < video.videoWidth * 0.25) text = '请把手机拿近一点';
    }
    if (hint.textContent !== text) hint.textContent = text;
  }, 700);
}
function stopHints() { if (hintTimer) { clearInterval(hintTimer); hintTimer = null; } }
function stopCamera() { stopHints(); stream?.getTracks().forEach(t => t.stop()); stream = null; delete document.body.dataset.action; }

// ---------- pictures ----------
function arrowPicture(direction) {
  // The pensioner's left is drawn on the left: the picture shows what to do, like a mirror.
  const path = direction < 0 ? 'M60 80 h-40 m0 0 l18 -18 m-18 18 l18 18' : 'M100 80 h40 m0 0 l-18 -18 m18 18 l-18 18';
  return svg(`<svg class="action-picture" viewBox="0 0 160 160"><circle cx="80" cy="80" r="34" fill="#f3d2b3" stroke="#1a1a1a" stroke-width="4"/><path d="${path}" fill="none" stroke="#0b5cad" stroke-width="8" stroke-linecap="round"/></svg>`,
    direction < 0 ? '向左转头的示意图' : '向右转头的示意图');
}
function eyePicture() {
  return svg('<svg class="action-picture" viewBox="0 0 160 160"><path d="M20 80 Q80 30 140 80 Q80 130 20 80 Z" fill="#ffffff" stroke="#1a1a1a" stroke-width="5"/><circle cx="80" cy="80" r="18" fill="#0b5cad"/><path d="M20 120 Q80 150 140 120" fill="none" stroke="#1a1a1a" stroke-width="5"/></svg>', '眨眼的示意图');
}

// ---------- start ----------
async function start() {
  renderMute();
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem('pensioncert-session-token', fromHash);
    history.replaceState(null, '', location.pathname + location.search); // keep the token out of the address bar
  }
  token = fromHash || sessionStorage.getItem('pensioncert-session-token');
  if (!token) return endWithProblem({ code: 'session-token-invalid', message: '认证链接无效，请返回办理页面重新开始认证。' });
  try {
    session = await readSession();
  } catch (error) {
    return endWithProblem(error.problem || {});
  }
  if (session.state === 'submitted') return DECIDED.includes(session.status) ? resultScreen(session) : (screen('waiting', '正在核验，请稍候', el('div', { class: 'spinner', 'aria-hidden': 'true' })), waitForResult());
  if (session.state === 'expired') return resultScreen(session);
  consentScreen();
}

start();
