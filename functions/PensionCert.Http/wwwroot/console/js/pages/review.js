// 审核队列: wired to its API as it lands.
import { h, notice } from '../ui.js';

export async function render(main) {
  main.append(h('h1', {}, '审核队列'), notice('warn', '此功能的服务接口尚未上线。'));
}
