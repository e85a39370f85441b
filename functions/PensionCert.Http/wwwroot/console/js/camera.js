// Photo capture for operator-captured certifications: the webcam (getUserMedia) or a file upload, one JPEG out.
import { h, announce } from './ui.js';

const maxSide = 1280;

/**
 * A capture panel. Returns { element, photo(): Blob|null, reset(), stop() }; onChange(blob|null) runs whenever the
 * captured photo changes.
 */
export function createCapture({ name = 'photo', onChange = () => {} } = {}) {
  let stream = null;
  let blob = null;
  let previewUrl = null;
  const video = h('video', { autoplay: true, muted: true, playsinline: true, 'aria-label': '摄像头实时画面', hidden: true });
  const preview = h('img', { alt: '已拍摄的照片', hidden: true });
  const status = h('p', { class: 'hint', role: 'status' }, '开启摄像头拍摄，或上传现场拍摄的照片（JPEG、PNG 或 WebP）。');
  const start = h('button', { type: 'button', class: 'secondary', onclick: startCamera }, '开启摄像头');
  const shoot = h('button', { type: 'button', onclick: takePhoto, disabled: true }, '拍照');
  const upload = h('input', { type: 'file', accept: 'image/jpeg,image/png,image/webp', name, id: `${name}-file`, onchange: onFile });
  const element = h('div', { class: 'capture' },
    h('div', { class: 'actions' }, start, shoot,
      h('label', { for: `${name}-file` }, '或上传照片：'), upload),
    video, preview, status);

  function setPhoto(next, message) {
    blob = next;
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = next ? URL.createObjectURL(next) : null;
    preview.hidden = !next;
    if (next) preview.src = previewUrl; else preview.removeAttribute('src');
    status.textContent = message;
    announce(message);
    onChange(next);
  }

  async function startCamera() {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false });
      video.srcObject = stream;
      video.hidden = false;
      await video.play().catch(() => {});
      shoot.disabled = false;
      start.disabled = true;
      status.textContent = '摄像头已开启：请让本人正对镜头，光线充足，然后按“拍照”。';
      shoot.focus();
    } catch {
      status.textContent = '无法开启摄像头（未授权或无设备），请改用上传照片。';
      upload.focus();
    }
  }

  async function takePhoto() {
    if (!video.videoWidth) {
      status.textContent = '摄像头画面尚未就绪，请稍候再按“拍照”。';
      return;
    }
    const scale = Math.min(1, maxSide / Math.max(video.videoWidth, video.videoHeight));
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
    const jpeg = await new Promise(resolve => canvas.toBlob(resolve, 'image/jpeg', 0.92));
    setPhoto(jpeg, `已拍照（${canvas.width}×${canvas.height}）。如不清晰可再次拍照。`);
  }

  function onFile() {
    const file = upload.files?.[0];
    if (!file) return;
    if (!/^image\/(jpeg|png|webp)$/.test(file.type)) {
      setPhoto(null, '照片格式不支持，请选择 JPEG、PNG 或 WebP 照片。');
      return;
    }
    setPhoto(file, `已选择照片 ${file.name}。`);
  }

  function stop() {
    stream?.getTracks().forEach(track => track.stop());
    stream = null;
    video.hidden = true;
    shoot.disabled = true;
    start.disabled = false;
  }

  return {
    element,
    photo: () => blob,
    reset() { upload.value = ''; setPhoto(null, '请重新拍摄或上传照片。'); },
    stop,
  };
}
