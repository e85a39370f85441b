// 柜台与社区认证: wired to its API as it lands.
import { h, notice } from '../ui.js';

export async function render(main) {
  main.append(h('h1', {}, '柜台与社区认证'), notice('warn', '此功能的服务接口尚未上线。'));
}
