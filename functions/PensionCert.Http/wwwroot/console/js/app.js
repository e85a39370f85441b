// The console shell: reads config.json, keeps the operator signed in, and shows one page per hash route
// (#/review, #/counter, #/visits, #/lists, #/pensioners/{id}, #/exceptions), so it runs from any static host.
import { configureApi } from './api.js';
import { roleName, session, signOut } from './auth.js';
import { h, replace, announce } from './ui.js';

const pages = [
  { path: 'review', title: '审核队列', roles: ['reviewer', 'admin'], load: () => import('./pages/review.js') },
  { path: 'counter', title: '柜台与社区认证', roles: ['clerk', 'admin'], load: () => import('./pages/counter.js') },
  { path: 'visits', title: '上门认证', roles: ['clerk', 'admin'], load: () => import('./pages/visits.js') },
  { path: 'lists', title: '辖区名单', roles: ['clerk', 'reviewer', 'admin'], load: () => import('./pages/lists.js') },
  { path: 'exceptions', title: '周期异常', roles: ['clerk', 'reviewer', 'admin'], load: () => import('./pages/exceptions.js') },
];
const hiddenPages = [
  { path: 'pensioners', title: '人员详情', roles: ['clerk', 'reviewer', 'admin'], load: () => import('./pages/pensioner.js') },
  { path: 'sign-in', title: '登录', roles: null, load: () => import('./pages/sign-in.js') },
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
let config;
let cleanup = null;
let rendering = 0;

function parseRoute() {
  const [path = '', ...params] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  return { path, params };
}

function homeFor(current) {
  return pages.find(p => p.roles.includes(current?.role))?.path ?? 'lists';
}

function renderChrome(current) {
  if (!current) {
    nav.hidden = true;
    replace(who);
    return;
  }
  nav.hidden = false;
  const route = parseRoute().path;
  replace(nav, h('ul', {}, pages.filter(p => p.roles.includes(current.role)).map(p =>
    h('li', {}, h('a', { href: `#/${p.path}`, 'aria-current': p.path === route ? 'page' : null }, p.title)))));
  replace(who,
    h('span', {}, `${roleName(current.role)} ${current.operatorId}`),
    h('span', {}, `辖区 ${current.regions.join('、')}`),
    h('button', { type: 'button', class: 'button', onclick: async () => { await signOut(config); location.hash = '#/sign-in'; } }, '退出登录'));
}

async function render() {
  const ticket = ++rendering;
  if (cleanup) { try { cleanup(); } catch { /* a page's cleanup must not stop navigation */ } cleanup = null; }
  const current = session.get();
  let { path, params } = parseRoute();
  if (!current && path !== 'sign-in') {
    location.replace(`#/sign-in${path ? `/${encodeURIComponent(location.hash.slice(1))}` : ''}`);
    return;
  }
  if (current && (path === '' || path === 'sign-in')) {
    location.replace(`#/${homeFor(current)}`);
    return;
  }
  const page = [...pages, ...hiddenPages].find(p => p.path === path);
  renderChrome(current);
  if (!page) {
    replace(main, h('h1', {}, '页面不存在'), h('p', {}, h('a', { href: `#/${homeFor(current)}` }, '返回首页')));
    return;
  }
  document.title = `${page.title} · 经办控制台`;
  if (page.roles && !page.roles.includes(current.role)) {
    replace(main, h('h1', {}, page.title), h('p', {}, `${roleName(current.role)}岗位不能使用此页面。`));
    return;
  }
  const module = await page.load();
  if (ticket !== rendering) return;
  replace(main);
  cleanup = (await module.render(main, { params, config, session: current })) ?? null;
  if (ticket !== rendering) return;
  const heading = main.querySelector('h1');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: false });
  }
  announce(`${page.title}页面已打开`);
}

async function start() {
  config = await (await fetch('config.json', { cache: 'no-store' })).json();
  configureApi(config);
  session.onExpired(() => {
    if (parseRoute().path !== 'sign-in') location.hash = '#/sign-in/expired';
  });
  document.getElementById('skip-link').addEventListener('click', event => {
    event.preventDefault();
    main.focus();
  });
  window.addEventListener('hashchange', render);
  await render();
}

start().catch(() => replace(main, h('h1', {}, '控制台无法启动'), h('p', {}, '无法读取控制台配置（config.json），请稍后刷新页面。')));
