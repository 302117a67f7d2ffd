// The pre-send widget: attach zhijian to a chat page's <textarea> or contenteditable with one
// call. It checks as the agent types (in the page, nothing uploaded), marks each flagged span in
// place, lists the hints with their suggestions (one click applies one), shows the message's
// score, holds back a fatal message on send until the agent fixes it or justifies sending it,
// warns when the customer is upset and the draft has no apology, counts down to the platform's
// slow-reply line, and logs every sent message's report to IndexedDB.
//
//   import { attach } from './www/widget/zhijian-widget.js';
//   const widget = await attach(textarea, { sendButton, conversationId: 'c1', agentId: 'a7' });
//   widget.customerSaid('东西坏了，什么态度！', new Date());
//
// The page's own elements are never wrapped or restyled: highlights are drawn by an overlay
// (textarea) or the CSS Custom Highlight API (contenteditable), and the widget's panel lives in
// a shadow root so that neither side's styles leak into the other.

import { ScoreLog, maskPersonalData } from './score-log.js';

const TEXT = {
  zh: {
    score: '分', ok: '没有问题', hold: '消息已拦截', holdWhy: '这条消息含有致命问题，发给客户前请修改：',
    fix: '去修改', sendAnyway: '仍然发送', justification: '请说明仍要发送的理由（会记入质检日志）',
    needJustification: '请填写理由', dismiss: '忽略', mute: '不再提示此规则', muted: '已静音规则',
    unmute: '恢复', upset: '客户情绪激动或有投诉倾向：先致歉或安抚，再解决问题。',
    waiting: (s, line) => `客户已等待 ${s} 秒 · 距慢响应线（${line} 秒）还有 ${line - s} 秒`,
    late: (s, line) => `客户已等待 ${s} 秒，已超过慢响应线 ${line} 秒`,
    severity: { fatal: '致命', major: '严重', minor: '轻微', hint: '提示' },
    more: (n) => `还有 ${n} 处问题（已在文中标出）`,
  },
  en: {
    score: 'pts', ok: 'No issues', hold: 'Message held back', holdWhy: 'This message has a fatal issue; fix it before the customer sees it:',
    fix: 'Fix it', sendAnyway: 'Send anyway', justification: 'Why send it anyway? (logged for QA)',
    needJustification: 'Give a reason', dismiss: 'Dismiss', mute: 'Mute this rule', muted: 'Muted rules',
    unmute: 'Unmute', upset: 'The customer is upset or complaining: apologise or reassure first.',
    waiting: (s, line) => `Customer waiting ${s} s · ${line - s} s left to the ${line} s slow-reply line`,
    late: (s, line) => `Customer waiting ${s} s, past the ${line} s slow-reply line`,
    severity: { fatal: 'Fatal', major: 'Major', minor: 'Minor', hint: 'Hint' },
    more: (n) => `${n} more (marked in the text)`,
  },
};

const APOLOGY = ['apology', 'empathy', 'reassurance'];
const MUTES_KEY = 'zhijian.mutedRules';
// A long draft can hold dozens of hints: the panel lists the first ones (all stay marked).
const MAX_LISTED = 8;
const COLORS = { fatal: '#cf222e', major: '#d1242f', minor: '#bf8700', hint: '#0969da' };

let engine; // the wasm-bindgen module, loaded once per page

/**
 * Loads the engine once and returns a new Checker. The default engine is pkg/check, the message
 * checker alone (the smallest download); pages that score conversations or compile TOML packs
 * pass pkg/web. Platform clocks come from the engine's `platforms()` where it has one (pkg/web),
 * else from the `slowReplySeconds` option.
 */
export async function loadChecker(options = {}, engineUrl = new URL('../../pkg/check/zhijian.js', import.meta.url)) {
  if (!engine) {
    engine = await import(engineUrl);
    await engine.default();
  }
  return new engine.Checker(options);
}

/** The engine module after `loadChecker` (for `applySuggestion`). */
export function engineModule() {
  return engine;
}

function readMutes() {
  try {
    return new Set(JSON.parse(localStorage.getItem(MUTES_KEY) || '[]'));
  } catch {
    return new Set();
  }
}

/** Attaches the widget to `element` (a textarea or a contenteditable element). */
export async function attach(element, options = {}) {
  const checker = options.checker ?? (await loadChecker(options.checkerOptions ?? {}));
  const log = options.log === null ? null : options.log ?? (await ScoreLog.open(options.logName));
  return new Widget(element, checker, log, options);
}

class Widget {
  constructor(element, checker, log, options) {
    this.element = element;
    this.checker = checker;
    this.log = log;
    this.options = options;
    this.locale = options.locale ?? 'zh';
    this.t = TEXT[this.locale] ?? TEXT.zh;
    this.conversationId = options.conversationId ?? `c-${Date.now()}`;
    this.agentId = options.agentId ?? 'agent';
    this.platform = options.platform ?? 'taobao';
    this.keepFullText = !!options.keepFullText;
    this.isTextarea = element instanceof HTMLTextAreaElement || element instanceof HTMLInputElement;
    this.report = null;
    this.dismissed = new Set();
    this.muted = readMutes();
    this.customer = []; // { text, at }
    this.customerUpset = false;
    this.waitingSince = null; // when the oldest unanswered customer message arrived
    this.bypassOnce = false;
    this.latencies = []; // ms from the input event to the highlights drawn
    const profile = (checker.platforms?.() ?? []).find((p) => p.id === this.platform);
    this.slowLine = options.slowReplySeconds ?? profile?.slow_reply_seconds ?? 100;

    this.buildPanel();
    if (this.isTextarea) this.buildOverlay();
    this.onInput = (e) => this.refresh(e);
    this.onKeydown = (e) => this.interceptKey(e);
    this.onClick = (e) => this.interceptClick(e);
    element.addEventListener('input', this.onInput);
    // Capture on the document runs before the page's own handlers on the element or button.
    document.addEventListener('keydown', this.onKeydown, true);
    document.addEventListener('click', this.onClick, true);
    this.timer = setInterval(() => this.renderTimer(), 1000);
    this.onViewport = () => this.placePanel();
    addEventListener('resize', this.onViewport);
    addEventListener('scroll', this.onViewport, true);
    this.refresh();
    // Patterns compile on first use, which takes the first message that needs one (a phone
    // number, say) about 15 ms longer; compile them while the page is idle instead.
    const whenIdle = globalThis.requestIdleCallback ?? ((f) => setTimeout(f, 200));
    // `prepared`: how many patterns that compiled, once it has run.
    whenIdle(() => {
      if (!this.detached) this.prepared = this.checker.prepare?.() ?? 0;
    });
  }

  /** Removes every trace of the widget from the page. */
  detach() {
    this.detached = true;
    this.element.removeEventListener('input', this.onInput);
    document.removeEventListener('keydown', this.onKeydown, true);
    document.removeEventListener('click', this.onClick, true);
    clearInterval(this.timer);
    removeEventListener('resize', this.onViewport);
    removeEventListener('scroll', this.onViewport, true);
    if (this.placeOverlay) {
      removeEventListener('resize', this.placeOverlay);
      removeEventListener('scroll', this.placeOverlay, true);
    }
    this.resizeObserver?.disconnect();
    this.overlay?.remove();
    this.host.remove();
    if (globalThis.CSS?.highlights) for (const s of Object.keys(COLORS)) CSS.highlights.delete(`zhijian-${s}`);
  }

  text() {
    return this.isTextarea ? this.element.value : textOf(this.element);
  }

  /** Tells the widget what the customer said (for context: anger, the slow-reply clock). */
  customerSaid(text, at = new Date()) {
    this.customer.push({ text, at: new Date(at) });
    this.waitingSince ??= new Date(at);
    this.log?.add(this.record('customer', text, null, null, new Date(at))).catch((err) => console.error('zhijian: could not log', err));
    // Upset when any of the customer's last three messages shows anger or a complaint trigger.
    this.customerUpset = this.customer
      .slice(-3)
      .some((m) => this.checker.customerSignals(m.text).some((s) => s === 'anger' || s === 'complaint'));
    this.refresh();
    this.renderTimer();
  }

  /** Checks the draft and redraws; `event` is the input event, for the latency figure. */
  refresh(event) {
    const text = this.text();
    this.report = this.checker.check(text);
    this.checkedText = text;
    const hints = this.visibleHints();
    this.renderMarks(text, hints);
    this.renderPanel(text, hints);
    if (event?.timeStamp) {
      // Read layout so that the figure includes style and layout of the new marks.
      void (this.overlay ?? this.host).offsetHeight;
      if (this.latencies.length >= 1000) this.latencies.shift();
      this.latencies.push(performance.now() - event.timeStamp);
    }
  }

  visibleHints() {
    if (!this.report) return [];
    return this.report.hints.filter((h) => !this.muted.has(h.rule) && !this.dismissed.has(`${h.rule}@${h.start}`));
  }

  // ---- highlights ----

  buildOverlay() {
    const o = document.createElement('div');
    o.setAttribute('aria-hidden', 'true');
    o.dataset.zhijianOverlay = '';
    o.style.cssText = 'position:absolute;pointer-events:none;overflow:hidden;color:transparent;white-space:pre-wrap;overflow-wrap:break-word;box-sizing:border-box;z-index:2147483000;margin:0;background:transparent;';
    document.body.appendChild(o);
    this.overlay = o;
    this.placeOverlay = () => {
      const r = this.element.getBoundingClientRect();
      const cs = getComputedStyle(this.element);
      for (const p of ['fontFamily', 'fontSize', 'fontWeight', 'fontStyle', 'letterSpacing', 'lineHeight', 'paddingTop', 'paddingRight', 'paddingBottom', 'paddingLeft', 'borderTopWidth', 'borderRightWidth', 'borderBottomWidth', 'borderLeftWidth', 'textAlign', 'tabSize', 'wordSpacing', 'textIndent']) {
        o.style[p] = cs[p];
      }
      o.style.borderStyle = 'solid';
      o.style.borderColor = 'transparent';
      o.style.left = `${r.left + scrollX}px`;
      o.style.top = `${r.top + scrollY}px`;
      o.style.width = `${r.width}px`;
      o.style.height = `${r.height}px`;
      o.scrollTop = this.element.scrollTop;
      o.scrollLeft = this.element.scrollLeft;
    };
    this.element.addEventListener('scroll', () => {
      o.scrollTop = this.element.scrollTop;
      o.scrollLeft = this.element.scrollLeft;
    });
    this.resizeObserver = new ResizeObserver(() => this.placeOverlay());
    this.resizeObserver.observe(this.element);
    addEventListener('resize', this.placeOverlay);
    addEventListener('scroll', this.placeOverlay, true);
    this.placeOverlay();
  }

  renderMarks(text, visible) {
    const hints = visible.slice().sort((a, b) => a.start - b.start);
    if (this.isTextarea) {
      const o = this.overlay;
      o.replaceChildren();
      let at = 0;
      for (const h of hints) {
        if (h.start < at) continue; // overlapping hints: the first one drawn wins
        o.append(text.slice(at, h.start));
        const mark = document.createElement('mark');
        mark.dataset.rule = h.rule;
        mark.dataset.severity = h.severity;
        mark.textContent = text.slice(h.start, h.end);
        const color = COLORS[h.severity];
        mark.style.cssText = `color:transparent;background:${color}22;border-bottom:2px solid ${color};border-radius:2px;padding:0;margin:0;`;
        o.append(mark);
        at = h.end;
      }
      o.append(text.slice(at) + '\u200b');
      o.scrollTop = this.element.scrollTop;
      return;
    }
    if (!globalThis.CSS?.highlights) return;
    const groups = { fatal: [], major: [], minor: [], hint: [] };
    for (const h of hints) {
      const range = rangeOf(this.element, h.start, h.end);
      if (range) groups[h.severity].push(range);
    }
    for (const [severity, ranges] of Object.entries(groups)) {
      CSS.highlights.set(`zhijian-${severity}`, new Highlight(...ranges));
    }
  }

  // ---- the panel ----

  buildPanel() {
    // The panel floats over the page (in document.body, not next to the element), so that the
    // page's own layout never moves.
    this.host = document.createElement('div');
    this.host.dataset.zhijianPanel = '';
    this.host.style.cssText = 'position:absolute;z-index:2147483001;left:0;top:0;';
    document.body.appendChild(this.host);
    const root = this.host.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>
      :host { all: initial; }
      .panel { max-height: 46vh; overflow-y: auto; box-sizing: border-box; font: 13px/1.45 system-ui, -apple-system, "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif; color: #1f2328; background: #fff; border: 1px solid #d0d7de; border-radius: 8px; box-shadow: 0 4px 14px rgba(0,0,0,.08); padding: 8px 10px; }
      .top { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
      .badge { font-weight: 700; border-radius: 999px; padding: 1px 10px; color: #fff; }
      .timer { color: #57606a; font-size: 12px; } .timer.late { color: #cf222e; font-weight: 600; }
      .context { margin-top: 6px; padding: 6px 8px; background: #fff8c5; border-radius: 6px; }
      ul { list-style: none; margin: 6px 0 0; padding: 0; }
      li { border-top: 1px solid #eaeef2; padding: 6px 0; }
      .sev { font-size: 11px; font-weight: 700; border-radius: 4px; padding: 0 5px; color: #fff; margin-right: 4px; }
      .quote { font-weight: 600; }
      button { font: inherit; font-size: 12px; border: 1px solid #d0d7de; background: #f6f8fa; border-radius: 6px; padding: 2px 8px; margin: 4px 4px 0 0; cursor: pointer; }
      button.suggest { background: #dafbe1; border-color: #4ac26b; }
      button.primary { background: #cf222e; color: #fff; border-color: #cf222e; }
      .hold { margin-top: 8px; padding: 8px; border: 2px solid #cf222e; border-radius: 8px; background: #ffebe9; }
      .hold input { width: 100%; box-sizing: border-box; margin-top: 6px; font: inherit; padding: 4px; }
      .error { color: #cf222e; font-size: 12px; }
      .muted { color: #57606a; font-size: 12px; margin-top: 4px; }
      [hidden] { display: none !important; }
    </style><div class="panel" part="panel"><div class="top"><span class="badge" data-role="badge"></span><span data-role="summary"></span><span class="timer" data-role="timer"></span></div><div class="hold" data-role="hold" hidden></div><div class="context" data-role="context" hidden></div><ul data-role="hints"></ul><div class="muted" data-role="muted"></div></div>`;
    this.root = root;
    this.$ = (role) => root.querySelector(`[data-role="${role}"]`);
  }

  renderPanel(text, hints) {
    const t = this.t;
    const report = this.report;
    const upsetNoApology = this.customerUpset && !!text.trim() && !report.strategies.some((s) => APOLOGY.includes(s));
    // Typing mostly leaves the hints as they were: rebuild the panel only when they change.
    const signature = [report.score, report.fatal, upsetNoApology, this.muted.size, ...hints.map((h) => `${h.rule}@${h.start}-${h.end}`)].join('|');
    if (signature === this.panelSignature) return;
    this.panelSignature = signature;
    const badge = this.$('badge');
    badge.textContent = `${report.score} ${t.score}`;
    badge.style.background = report.fatal ? COLORS.fatal : report.score >= 90 ? '#1a7f37' : report.score >= 70 ? '#bf8700' : COLORS.major;
    this.$('summary').textContent = hints.length || upsetNoApology ? '' : t.ok;
    const context = this.$('context');
    context.hidden = !upsetNoApology;
    context.textContent = upsetNoApology ? t.upset : '';

    const list = this.$('hints');
    list.replaceChildren();
    for (const h of hints.slice(0, MAX_LISTED)) {
      const li = document.createElement('li');
      li.dataset.rule = h.rule;
      const sev = document.createElement('span');
      sev.className = 'sev';
      sev.style.background = COLORS[h.severity];
      sev.textContent = t.severity[h.severity];
      const quote = document.createElement('span');
      quote.className = 'quote';
      quote.textContent = `“${h.text}” `;
      const message = document.createElement('span');
      message.textContent = h.message;
      li.append(sev, quote, message, document.createElement('br'));
      h.suggestions.slice(0, 3).forEach((s, i) => {
        const b = button(`→ ${s}`, 'suggest', () => this.applySuggestion(h, i));
        b.dataset.suggestion = s;
        li.append(b);
      });
      li.append(
        button(t.dismiss, '', () => {
          this.dismissed.add(`${h.rule}@${h.start}`);
          this.refresh();
        }),
        button(t.mute, '', () => this.mute(h.rule, true)),
      );
      list.append(li);
    }
    if (hints.length > MAX_LISTED) {
      const li = document.createElement('li');
      li.className = 'more';
      li.textContent = t.more(hints.length - MAX_LISTED);
      list.append(li);
    }
    const muted = this.$('muted');
    muted.replaceChildren();
    queueMicrotask(() => this.placePanel());
    if (this.muted.size) {
      muted.append(`${t.muted}: `);
      for (const rule of this.muted) {
        const b = button(`${rule} ✕`, '', () => this.mute(rule, false));
        b.title = t.unmute;
        muted.append(b);
      }
    }
  }

  /** Above the element when there is room (a composer sits at the bottom), else below it. */
  placePanel() {
    const r = this.element.getBoundingClientRect();
    const width = Math.min(640, Math.max(280, r.width));
    this.host.style.width = `${width}px`;
    this.host.style.left = `${r.left + scrollX}px`;
    const height = this.host.offsetHeight;
    const above = r.top >= height + 8;
    this.host.style.top = `${(above ? r.top - height - 6 : r.bottom + 6) + scrollY}px`;
  }

  renderTimer() {
    const el = this.$('timer');
    if (!this.waitingSince) {
      el.textContent = '';
      return;
    }
    const waited = Math.floor((Date.now() - this.waitingSince.getTime()) / 1000);
    const late = waited >= this.slowLine;
    el.className = late ? 'timer late' : 'timer';
    el.textContent = late ? this.t.late(waited, this.slowLine) : this.t.waiting(waited, this.slowLine);
  }

  mute(rule, on) {
    if (on) this.muted.add(rule);
    else this.muted.delete(rule);
    localStorage.setItem(MUTES_KEY, JSON.stringify([...this.muted]));
    this.refresh();
  }

  /** Replaces the hint's characters with suggestion `index`, the way the page would see typing. */
  applySuggestion(hint, index = 0) {
    const replacement = hint.suggestions[index];
    if (this.isTextarea) {
      const el = this.element;
      el.focus();
      el.setSelectionRange(hint.start, hint.end);
      // execCommand keeps the page's undo stack and fires the input event its handlers expect.
      if (!document.execCommand('insertText', false, replacement)) {
        el.setRangeText(replacement, hint.start, hint.end, 'end');
        el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertReplacementText', data: replacement }));
      }
    } else {
      const range = rangeOf(this.element, hint.start, hint.end);
      if (!range) return;
      const selection = getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      if (!document.execCommand('insertText', false, replacement)) {
        range.deleteContents();
        range.insertNode(document.createTextNode(replacement));
        this.element.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertReplacementText', data: replacement }));
      }
    }
    this.refresh();
  }

  // ---- sending ----

  interceptKey(e) {
    if (e.target !== this.element || e.key !== 'Enter' || e.shiftKey || e.isComposing || e.keyCode === 229) return;
    this.beforeSend(e);
  }

  interceptClick(e) {
    const button = this.options.sendButton;
    if (!button || !(e.target instanceof Node) || !button.contains(e.target)) return;
    this.beforeSend(e);
  }

  /** Lets a send through (logging it) or holds it back when fatal. */
  beforeSend(e) {
    const text = this.text();
    if (!text.trim()) return;
    // The draft was checked on its last input; check again only if the page changed it since.
    const report = text === this.checkedText ? this.report : this.checker.check(text);
    if (report.fatal && !this.bypassOnce) {
      e.preventDefault();
      e.stopImmediatePropagation();
      this.showHold(report, e.type === 'click' ? 'click' : 'enter');
      return;
    }
    const override = this.bypassOnce ? this.pendingJustification : null;
    this.bypassOnce = false;
    this.pendingJustification = null;
    this.logSent(text, report, override);
    this.dismissed.clear();
    this.waitingSince = null;
    // The page clears its input after sending; check again once it has.
    setTimeout(() => this.refresh(), 0);
  }

  showHold(report, via) {
    const t = this.t;
    const hold = this.$('hold');
    hold.hidden = false;
    hold.replaceChildren();
    const title = document.createElement('strong');
    title.textContent = t.hold;
    const why = document.createElement('div');
    why.textContent = t.holdWhy;
    const reasons = document.createElement('ul');
    for (const h of report.hints.filter((x) => x.severity === 'fatal')) {
      const li = document.createElement('li');
      li.textContent = `“${h.text}”：${h.message}`;
      reasons.append(li);
    }
    const input = document.createElement('input');
    input.placeholder = t.justification;
    input.dataset.role = 'justification';
    const error = document.createElement('div');
    error.className = 'error';
    const fix = button(t.fix, '', () => {
      hold.hidden = true;
      this.element.focus();
    });
    fix.dataset.action = 'fix';
    const send = button(t.sendAnyway, 'primary', () => {
      const reason = input.value.trim();
      if (!reason) {
        error.textContent = t.needJustification;
        input.focus();
        return;
      }
      hold.hidden = true;
      this.bypassOnce = true;
      this.pendingJustification = reason;
      this.resend(via);
    });
    send.dataset.action = 'send-anyway';
    hold.append(title, why, reasons, input, error, fix, send);
    this.placePanel();
  }

  /** Sends again after an override: the page's own send path, as the agent would. */
  resend(via) {
    if (this.options.send) {
      this.beforeSend(new Event('zhijian-send'));
      this.options.send(this.text());
    } else if (via === 'click' && this.options.sendButton) {
      this.options.sendButton.click();
    } else {
      this.element.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', code: 'Enter', keyCode: 13, bubbles: true, cancelable: true }));
    }
  }

  record(role, text, report, override, at = new Date()) {
    const hints = report?.hints ?? [];
    return {
      conversation: this.conversationId,
      agent: this.agentId,
      platform: this.platform,
      role,
      at: at.toISOString(),
      text: this.keepFullText ? text : maskPersonalData(text, hints),
      masked: !this.keepFullText,
      score: report?.score ?? null,
      fatal: report?.fatal ?? false,
      rules: hints.map((h) => h.rule),
      hints: hints.map(({ rule, severity, start, end }) => ({ rule, severity, start, end })),
      override,
    };
  }

  logSent(text, report, override) {
    const record = this.record('agent', text, report, override);
    this.lastLogged = this.log?.add(record).catch((err) => console.error('zhijian: could not log', err));
    this.options.onSent?.(record);
  }
}

function button(label, className, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  if (className) b.className = className;
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    onClick();
  });
  return b;
}

/** The text of a contenteditable element: its text nodes in order (what the engine checks). */
function textOf(root) {
  let text = '';
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) text += walker.currentNode.data;
  return text;
}

/** A DOM Range over UTF-16 offsets [start, end) of `textOf(root)`. */
function rangeOf(root, start, end) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let at = 0;
  let range = null;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const next = at + node.data.length;
    if (!range && start >= at && start <= next) {
      range = document.createRange();
      range.setStart(node, start - at);
    }
    if (range && end >= at && end <= next) {
      range.setEnd(node, end - at);
      return range;
    }
    at = next;
  }
  return null;
}

// The highlight styles for contenteditable targets (the Custom Highlight API draws them without
// touching the element's DOM).
if (globalThis.document && !document.querySelector('style[data-zhijian]')) {
  const style = document.createElement('style');
  style.dataset.zhijian = '';
  style.textContent = Object.entries(COLORS)
    .map(([s, c]) => `::highlight(zhijian-${s}) { background-color: ${c}22; text-decoration: underline 2px ${c}; }`)
    .join('\n');
  document.head.append(style);
}
