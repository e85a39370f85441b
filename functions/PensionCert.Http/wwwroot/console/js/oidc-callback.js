// callback.html: the authority redirects here with the authorization code; exchange it and return to the console.
import { oidcCallback } from './auth.js';

const status = document.getElementById('status');
try {
  const config = await (await fetch('config.json', { cache: 'no-store' })).json();
  const returnHash = await oidcCallback(config);
  location.replace(`./${returnHash || ''}`);
} catch {
  status.textContent = '登录未完成，请返回控制台重新登录。';
  status.append(' ', Object.assign(document.createElement('a'), { href: './', textContent: '返回控制台' }));
}
