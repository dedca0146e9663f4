/** Error pages of the public site. */
import { html } from '../html.ts';
import { page } from '../layout.ts';

export function notFoundPage(message = '没有找到这个页面。'): string {
  return page({ title: '未找到', body: html`<h1>未找到</h1><p>${message}</p><p><a href="/">返回抽查任务列表</a> · <a href="/search">主体查询</a></p>` });
}

export function errorPage(): string {
  return page({ title: '出错了', body: html`<h1>出错了</h1><p>服务器暂时无法处理这个请求，请稍后再试。</p><p><a href="/">返回首页</a></p>` });
}
