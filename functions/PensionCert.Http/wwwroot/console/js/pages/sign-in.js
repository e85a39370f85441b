// Sign-in: OpenID Connect (authorization code + PKCE) where configured; in the local host, the development sign-in.
import { developmentSignIn, oidcSignIn } from '../auth.js';
import { field, h, notice, select } from '../ui.js';

export async function render(main, { params, config }) {
  const returnHash = params[0] && params[0] !== 'expired' ? `#${params[0]}` : '';
  main.append(h('h1', {}, '登录经办控制台'));
  if (params[0] === 'expired') main.append(notice('warn', '登录已失效，请重新登录。'));

  if (config.signIn === 'oidc') {
    const status = h('p', { role: 'status' });
    main.append(
      h('p', {}, '请使用本机构统一身份认证账号登录。'),
      h('div', { class: 'actions' }, h('button', {
        type: 'button',
        onclick: async () => {
          status.textContent = '正在前往统一身份认证…';
          try { await oidcSignIn(config, returnHash); } catch { status.textContent = '无法连接统一身份认证服务，请稍后重试。'; }
        },
      }, '统一身份认证登录')),
      status);
    return;
  }
  if (config.signIn !== 'development') {
    main.append(notice('error', '未配置登录方式：请管理员设置 PensionCert:Console:ClientId 与身份认证地址。'));
    return;
  }

  const role = select([['clerk', '经办员（柜台、社区、上门）'], ['reviewer', '复核员（人工审核）'], ['admin', '管理员']], { name: 'role', required: true });
  const regions = h('input', { type: 'text', name: 'regions', required: true, inputmode: 'numeric', autocomplete: 'off', pattern: '\\d{6}([,， ]+\\d{6}){0,4}', value: '110105' });
  const operatorId = h('input', { type: 'text', name: 'operatorId', autocomplete: 'off', pattern: '[A-Za-z0-9._\\-]{1,64}' });
  const error = h('div');
  const form = h('form', { class: 'stack', novalidate: true },
    notice('warn', '开发登录：仅本机开发环境可用，令牌由开发密钥签发。生产环境使用统一身份认证。'),
    field('岗位', role),
    field('负责的行政区划代码', regions, '6 位代码，多个用逗号分隔，例如 110105；省级代码（如 110000）覆盖全省。'),
    field('操作员编号（可选）', operatorId, '字母、数字、点、横线；留空则按岗位和区划生成。'),
    error,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, '登录')));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    error.replaceChildren();
    if (!form.checkValidity()) {
      error.append(notice('error', '请选择岗位，并填写 6 位行政区划代码。'));
      (form.querySelector(':invalid') ?? regions).focus();
      return;
    }
    try {
      await developmentSignIn(config, role.value, regions.value.split(/[,， ]+/).filter(Boolean), operatorId.value.trim());
      location.replace(returnHash || '#/');
    } catch (e) {
      error.append(notice('error', e.message));
    }
  });
  main.append(form);
}
