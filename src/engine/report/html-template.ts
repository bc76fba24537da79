import { isImageDataUrl } from '../evaluate/image-data-url';

/**
 * The one way the report writes markup: the `html` tagged template. Its static text is trusted (it is
 * in this repository's source); every interpolated value is escaped, unless it is a SafeHtml made by
 * `html` itself, so a value read from an eval.json cannot become markup by accident.
 *
 * Escaping alone does not make every place safe, so the template also tracks where each value lands
 * and refuses (throws) the places where an escaped string can still do harm:
 *   - inside a tag but not in a quoted attribute value (`<td ${x}>`, `<img src=${x}>`);
 *   - event handler attributes (`on…`), and URL attributes: only `src` is allowed, and only with a
 *     data:image/(png|jpeg|webp);base64 URL (javascript:, file:, http:, SVG all refused);
 *   - `style` and paint attributes (fill, stroke, …), where CSS could name a url(): numbers and plain
 *     words/colours only;
 *   - the content of <style>/<script> and other raw-text elements (no escaping applies there);
 *     the report's stylesheet goes in through `styleSheet`, which checks it.
 */

const MINT = Symbol('SafeHtml');
let mint: (text: string) => SafeHtml;

/** Markup made by `html` (or `styleSheet`); nothing else can make one, not even at run time. */
export class SafeHtml {
  readonly #text: string;
  private constructor(token: symbol, text: string) {
    if (token !== MINT) throw new HtmlTemplateError('html: SafeHtml is made only by the html template');
    this.#text = text;
  }
  toString(): string {
    return this.#text;
  }
  static {
    mint = (text) => new SafeHtml(MINT, text);
  }
}
export type HtmlValue = SafeHtml | string | number | null | undefined | false | readonly HtmlValue[];

export class HtmlTemplateError extends Error {
  override name = 'HtmlTemplateError';
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in element content and in quoted attribute values (both quote characters escaped). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Escapes what matters where the value lands; leaving the other quote alone keeps e.g. the CSP's 'none' readable. */
function escapeIn(s: string, quote: string): string {
  return s.replace(quote === "'" ? /[&<>']/g : /[&<>"]/g, (c) => ESCAPES[c]!);
}

/** Elements whose content is not parsed as markup, so escaping means nothing there (<title> and <textarea> decode entities: fine). */
const RAW_TEXT = new Set(['style', 'script', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'plaintext']);
/** Attributes that load, navigate to or embed something. */
const URL_ATTRS = new Set(['href', 'xlink:href', 'action', 'formaction', 'poster', 'srcset', 'data', 'background', 'ping', 'cite', 'manifest', 'srcdoc', 'codebase', 'lowsrc', 'dynsrc']);
/** SVG animation attributes: <animate>/<set> can write any attribute, an href included. */
const ANIMATION_ATTRS = new Set(['to', 'from', 'by', 'values', 'attributename']);
/** Attributes whose value is CSS or may hold a CSS url(). */
const CSS_ATTRS = new Set(['style', 'fill', 'stroke', 'filter', 'mask', 'clip-path', 'marker-start', 'marker-mid', 'marker-end', 'cursor']);
const PLAIN_CSS_WORD = /^[#\w.%\s,-]*$/;

type Context =
  | { kind: 'text' }
  | { kind: 'raw'; tag: string }
  | { kind: 'tag'; tag: string; closing: boolean; attr: string; afterEquals: boolean; unquoted: boolean }
  | { kind: 'value'; tag: string; attr: string; quote: string };

/** Advances the context over trusted static text. */
function scan(ctx: Context, s: string): Context {
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    switch (ctx.kind) {
      case 'text': {
        if (c === '<') {
          const m = /^<(\/?)([A-Za-z!][\w:-]*)?/.exec(s.slice(i, i + 64))!;
          if (m[2] === undefined) break; // a bare "<" in static text is text
          ctx = { kind: 'tag', tag: (m[2] ?? '').toLowerCase(), closing: m[1] === '/', attr: '', afterEquals: false, unquoted: false };
          i += m[0].length;
          continue;
        }
        break;
      }
      case 'raw': {
        const end = s.toLowerCase().indexOf(`</${ctx.tag}`, i);
        if (end < 0) return ctx;
        ctx = { kind: 'tag', tag: ctx.tag, closing: true, attr: '', afterEquals: false, unquoted: false };
        i = end + 2 + ctx.tag.length;
        continue;
      }
      case 'tag': {
        if (c === '>') {
          ctx = !ctx.closing && RAW_TEXT.has(ctx.tag) ? { kind: 'raw', tag: ctx.tag } : { kind: 'text' };
        } else if (ctx.unquoted) {
          if (/\s/.test(c)) ctx = { ...ctx, unquoted: false, attr: '', afterEquals: false };
        } else if (c === '=') {
          ctx = { ...ctx, afterEquals: true };
        } else if (ctx.afterEquals && (c === '"' || c === "'")) {
          ctx = { kind: 'value', tag: ctx.tag, attr: ctx.attr, quote: c };
        } else if (ctx.afterEquals && !/\s/.test(c)) {
          ctx = { ...ctx, unquoted: true };
        } else if (/\s/.test(c)) {
          if (ctx.attr !== '' && !ctx.afterEquals) ctx = { ...ctx, attr: '' };
        } else if (c !== '/') {
          ctx = { ...ctx, attr: ctx.attr + c.toLowerCase() };
        }
        break;
      }
      case 'value': {
        if (c === ctx.quote) ctx = { kind: 'tag', tag: ctx.tag, closing: false, attr: '', afterEquals: false, unquoted: false };
        break;
      }
    }
    i++;
  }
  return ctx;
}

function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v) : typeof v;
}

function textValue(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.toString();
  if (Array.isArray(v)) return v.map(textValue).join('');
  if (typeof v === 'string') return escapeIn(v, '"');
  if (typeof v === 'number') return String(v);
  throw new HtmlTemplateError(`html: cannot write a ${typeof v} into the page`);
}

function attributeValue(ctx: Extract<Context, { kind: 'value' }>, v: HtmlValue): string {
  const where = `<${ctx.tag} ${ctx.attr}="…">`;
  if (v === null || v === undefined || v === false) return '';
  if (typeof v !== 'string' && typeof v !== 'number') throw new HtmlTemplateError(`html: ${where} takes a string or number, not ${v instanceof SafeHtml ? 'markup' : describe(v)}`);
  if (ctx.attr.startsWith('on')) throw new HtmlTemplateError(`html: no value may be written into the event handler ${where}`);
  if (ctx.attr === 'src') {
    if (ctx.tag !== 'img' || typeof v !== 'string' || !isImageDataUrl(v)) throw new HtmlTemplateError(`html: ${where} takes only a data:image/(png|jpeg|webp);base64 URL on <img>, not ${describe(v)}`);
    return v;
  }
  if (URL_ATTRS.has(ctx.attr)) throw new HtmlTemplateError(`html: the report has no links or embeds; refused a value for ${where}`);
  if (ANIMATION_ATTRS.has(ctx.attr)) throw new HtmlTemplateError(`html: no value may be written into the animation attribute ${where}`);
  if (ctx.tag === 'meta' && ctx.attr === 'content' && typeof v === 'string' && /url\s*=/i.test(v)) throw new HtmlTemplateError(`html: ${where} may not name a URL (a refresh would navigate)`);
  if (CSS_ATTRS.has(ctx.attr) && typeof v === 'string' && !PLAIN_CSS_WORD.test(v)) throw new HtmlTemplateError(`html: ${where} takes numbers and plain CSS words only, not ${describe(v)}`);
  return typeof v === 'number' ? String(v) : escapeIn(v, ctx.quote);
}

/**
 * Where each value of a call site lands, and where its text ends. The static parts of a call site are
 * one frozen array, and values never move the context (they are escaped, and fragments end outside any
 * tag), so this is worked out once per call site.
 */
const contexts = new WeakMap<TemplateStringsArray, { before: Context[]; end: Context }>();

function contextsOf(strings: TemplateStringsArray): { before: Context[]; end: Context } {
  let known = contexts.get(strings);
  if (!known) {
    const before: Context[] = [];
    let ctx: Context = { kind: 'text' };
    strings.forEach((s, i) => {
      ctx = scan(ctx, s);
      if (i < strings.length - 1) before.push(ctx);
    });
    known = { before, end: ctx };
    contexts.set(strings, known);
  }
  return known;
}

/** The template tag: static text as written, every value escaped for where it lands (see above). */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  const { before, end } = contextsOf(strings);
  if (end.kind !== 'text') throw new HtmlTemplateError(`html: a fragment must end outside any tag, attribute or <style>/<script>; it ends with ${JSON.stringify(strings[strings.length - 1]!.slice(-40))}`);
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) {
    const ctx = before[i]!;
    const v = values[i]!;
    switch (ctx.kind) {
      case 'text':
        out += textValue(v);
        break;
      case 'value':
        out += attributeValue(ctx, v);
        break;
      case 'raw':
        throw new HtmlTemplateError(`html: no value may be written inside <${ctx.tag}>; after ${JSON.stringify(strings[i]!.slice(-40))}`);
      case 'tag':
        throw new HtmlTemplateError(`html: a value inside <${ctx.tag}> must be a quoted attribute value; after ${JSON.stringify(strings[i]!.slice(-40))}`);
    }
    out += strings[i + 1]!;
  }
  return mint(out);
}

/**
 * A <style> element from a stylesheet constant of this repository. Refuses what would end the element
 * or load anything: `<`, url(), @import, image-set() and expressions.
 */
export function styleSheet(css: string): SafeHtml {
  if (/<|url\s*\(|@import|image-set|expression\s*\(|\\/i.test(css)) throw new HtmlTemplateError('html: the stylesheet may not contain "<", "\\", url(), @import, image-set() or expression()');
  return mint(`<style>${css}</style>`);
}
