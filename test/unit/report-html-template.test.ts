import { describe, expect, it } from 'vitest';
import { imageDataUrlProblem, isImageDataUrl } from '../../src/engine/evaluate/image-data-url';
import { html, HtmlTemplateError, SafeHtml, styleSheet } from '../../src/engine/report/html-template';
import { TINY_PNG, TINY_PNG_BASE64 } from '../helpers/tiny-images';

const s = (v: SafeHtml) => v.toString();

describe('html template', () => {
  it('escapes every interpolated string, in text and in attributes', () => {
    const v = `<script>x</script>" onerror="y" '&`;
    expect(s(html`<p title="${v}">${v}</p>`)).toBe('<p title="&lt;script&gt;x&lt;/script&gt;&quot; onerror=&quot;y&quot; \'&amp;">&lt;script&gt;x&lt;/script&gt;&quot; onerror=&quot;y&quot; \'&amp;</p>');
    expect(s(html`<p title='${v}'>x</p>`)).toContain("title='&lt;script&gt;x&lt;/script&gt;\" onerror=\"y\" &#39;&amp;'");
  });

  it('nests its own fragments unescaped, lists joined, and writes nothing for null, undefined and false', () => {
    const inner = html`<b>${'a<b'}</b>`;
    expect(s(html`<p>${inner}${[html`<i>1</i>`, '<2>']}${null}${undefined}${false}${0}</p>`)).toBe('<p><b>a&lt;b</b><i>1</i>&lt;2&gt;0</p>');
  });

  it('cannot be given markup by a look-alike object', () => {
    const fake = { toString: () => '<script>x</script>' } as unknown as string;
    expect(() => html`<p>${fake}</p>`).toThrow(HtmlTemplateError);
    expect(() => new (SafeHtml as unknown as new (t: string) => SafeHtml)('<script>')).toThrow(); // constructor is private at run time too
  });

  it('refuses values inside a tag, in unquoted attributes and in event handlers', () => {
    expect(() => html`<td ${'class="x"'}>`).toThrow(/must be a quoted attribute value/);
    expect(() => html`<img alt=${'x'}>`).toThrow(/must be a quoted attribute value/);
    expect(() => html`<p onclick="${'x'}">`).toThrow(/event handler/);
    expect(() => html`<svg onload="f(${1})"></svg>`).toThrow(/event handler/);
  });

  it('accepts an <img src> only as a PNG, JPEG or WebP base64 data URL', () => {
    expect(s(html`<img src="${TINY_PNG}">`)).toBe(`<img src="${TINY_PNG}">`);
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'http://example.invalid/a.png', `data:image/svg+xml;base64,${Buffer.from('<svg onload="alert(1)"/>').toString('base64')}`, `${TINY_PNG}" onerror="alert(1)`]) {
      expect(() => html`<img src="${bad}">`, bad).toThrow(/data:image/);
    }
    expect(() => html`<iframe src="${TINY_PNG}"></iframe>`).toThrow(/only .* on <img>/);
    expect(() => html`<a href="${'https://x.invalid'}">x</a>`).toThrow(/no links/);
    expect(() => html`<use xlink:href="${'#a'}"/>`).toThrow(/no links/);
    expect(() => html`<set attributeName="href" to="${'javascript:x'}"/>`).toThrow(/animation attribute/);
    expect(() => html`<meta http-equiv="refresh" content="${'0;url=http://x.invalid/'}">`).toThrow(/may not name a URL/);
    expect(s(html`<meta name="generator" content="${'app 1.0'}">`)).toBe('<meta name="generator" content="app 1.0">');
  });

  it('allows only numbers and plain words in style and paint attributes', () => {
    expect(s(html`<div style="--n:${3}"><rect fill="${'#2563eb'}"/></div>`)).toBe('<div style="--n:3"><rect fill="#2563eb"/></div>');
    expect(() => html`<div style="color:${'red;background:url(http://x.invalid/)'}"></div>`).toThrow(/plain CSS words/);
    expect(() => html`<rect fill="${'url(http://x.invalid/#p)'}"/>`).toThrow(/plain CSS words/);
  });

  it('refuses values inside <style> and <script>, and fragments that end inside a tag', () => {
    expect(() => html`<style>${'body{}'}</style>`).toThrow(/inside <style>/);
    expect(() => html`<script>${'1'}</script>`).toThrow(/inside <script>/);
    expect(() => html`<p class="${'a'}`).toThrow(/must end outside/);
    expect(s(html`<style>p{}</style><p>${'ok'}</p>`)).toBe('<style>p{}</style><p>ok</p>');
  });

  it('writes a stylesheet constant only when it can neither load anything nor end the element', () => {
    expect(s(styleSheet('p { color: red; }'))).toBe('<style>p { color: red; }</style>');
    for (const bad of ['p { background: url(x) }', '@import "x.css";', '</style><script>x</script>', 'p { background: image-set("x" 1x) }', 'p { background: u\\72l(x) }']) {
      expect(() => styleSheet(bad), bad).toThrow(HtmlTemplateError);
    }
  });
});

describe('image data URLs', () => {
  it('accepts base64 PNG, JPEG and WebP whose bytes match the declared type', () => {
    expect(isImageDataUrl(TINY_PNG)).toBe(true);
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]).toString('base64');
    expect(isImageDataUrl(`data:image/jpeg;base64,${jpeg}`)).toBe(true);
    const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WEBPVP8 ')]).toString('base64');
    expect(isImageDataUrl(`data:image/webp;base64,${webp}`)).toBe(true);
  });

  it('says why anything else is refused', () => {
    expect(imageDataUrlProblem('file:///etc/passwd')).toMatch(/not an image data URL.*"file:\/\/\/etc\/passwd"/);
    expect(imageDataUrlProblem(`data:image/svg+xml;base64,${TINY_PNG_BASE64}`)).toMatch(/not an image data URL/);
    expect(imageDataUrlProblem(`data:image/png;base64,${TINY_PNG_BASE64.slice(0, -4)}"><x`)).toMatch(/not base64/);
    expect(imageDataUrlProblem(`data:image/png;base64,${TINY_PNG_BASE64} `)).toMatch(/not base64/);
    expect(imageDataUrlProblem(`data:image/jpeg;base64,${TINY_PNG_BASE64}`)).toMatch(/says image\/jpeg but its bytes are not a JPEG/);
    expect(imageDataUrlProblem(`data:image/png;base64,${Buffer.from('<script>alert(1)</script>').toString('base64')}`)).toMatch(/not a PNG/);
  });
});
