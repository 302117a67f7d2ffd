// The trainers' practice sandbox: a scripted customer (a scenario file), the trainee answering in
// the widget, customer follow-ups that react to the trainee's tone, and a session scorecard from
// the same conversation scoring QA uses (scoreConversation). Scenarios: ./scenarios/*.json.
import { attach, loadChecker } from '../widget/zhijian-widget.js';

const params = new URLSearchParams(location.search);
const delay = Number(params.get('delay') ?? 700); // ms before the customer answers
const $ = (id) => document.getElementById(id);
const chat = $('chat');
const input = $('input');
const APOLOGY = ['apology', 'empathy', 'reassurance'];

// The full engine: the session score is scoreConversation, which pkg/check leaves out.
const checker = await loadChecker({}, new URL('../../pkg/web/zhijian.js', import.meta.url));
const index = await (await fetch('scenarios/index.json')).json();
const scenarios = new Map();
for (const entry of index) {
  const option = new Option(`${entry.language === 'zh' ? '中' : 'EN'} · ${entry.title}`, entry.id);
  $('scenario').add(option);
}

/** Checks a scenario's shape and says exactly what is wrong. */
export function validateScenario(s, name = 'scenario') {
  const problems = [];
  if (typeof s !== 'object' || s === null) return [`${name}: not a JSON object`];
  for (const key of ['id', 'title']) if (typeof s[key] !== 'string' || !s[key]) problems.push(`${name}: "${key}" must be a non-empty string`);
  if (!['zh', 'en'].includes(s.language)) problems.push(`${name}: "language" must be "zh" or "en"`);
  if (!Array.isArray(s.beats) || s.beats.length === 0) problems.push(`${name}: "beats" must be a non-empty list`);
  (s.beats ?? []).forEach((b, i) => {
    if (!Array.isArray(b?.customer) || !b.customer.length || !b.customer.every((t) => typeof t === 'string')) {
      problems.push(`${name}: beats[${i}].customer must be a list of messages`);
    }
    if (b?.expect !== undefined && !(Array.isArray(b.expect) && b.expect.every((t) => typeof t === 'string'))) {
      problems.push(`${name}: beats[${i}].expect must be a list of strategy names`);
    }
  });
  return problems;
}

function showError(text) {
  $('error').hidden = !text;
  $('error').textContent = text ?? '';
}

$('load').addEventListener('change', async (e) => {
  const file = e.target.files[0];
  if (!file) return;
  let scenario;
  try {
    scenario = JSON.parse(await file.text());
  } catch (err) {
    return showError(`${file.name}: not valid JSON (${err.message})`);
  }
  const problems = validateScenario(scenario, file.name);
  if (problems.length) return showError(problems.join('\n'));
  showError(null);
  scenarios.set(scenario.id, scenario);
  const option = new Option(`★ ${scenario.title}`, scenario.id);
  $('scenario').add(option);
  $('scenario').value = scenario.id;
});

async function scenarioById(id) {
  if (!scenarios.has(id)) {
    const entry = index.find((x) => x.id === id);
    scenarios.set(id, await (await fetch(`scenarios/${entry.file}`)).json());
  }
  return scenarios.get(id);
}

let session = null;
let widget = null;

function show(role, text) {
  const div = document.createElement('div');
  div.className = `msg ${role}`;
  div.textContent = text;
  chat.append(div);
  chat.scrollTop = chat.scrollHeight;
}

function customerSays(texts) {
  for (const text of texts) {
    session.messages.push({ role: 'customer', at: new Date().toISOString(), text });
    show('customer', text);
    widget.customerSaid(text);
  }
}

async function start() {
  const scenario = await scenarioById($('scenario').value);
  session = { scenario, beat: 0, retries: 0, upset: false, messages: [], id: `practice-${scenario.id}-${Date.now()}`, done: false };
  chat.replaceChildren();
  $('scorecard').hidden = true;
  $('persona').textContent = `${scenario.title} — ${scenario.persona ?? ''}`;
  widget?.detach();
  widget = await attach(input, {
    checker,
    sendButton: $('send'),
    conversationId: session.id,
    agentId: params.get('trainee') ?? 'trainee',
    platform: scenario.platform ?? 'generic',
    locale: scenario.language,
    log: null,
  });
  window.widget = widget;
  input.disabled = $('send').disabled = $('finish').disabled = false;
  input.value = '';
  widget.refresh();
  customerSays(scenario.beats[0].customer);
  input.focus();
}

/** good, bad or fatal: how the customer takes the trainee's reply. */
function judge(text, beat) {
  const report = checker.check(text);
  if (report.fatal) return 'fatal';
  const needsApology = beat.upset || session.upset;
  const apologised = report.strategies.some((s) => APOLOGY.includes(s));
  if (report.hints.some((h) => h.severity === 'major')) return 'bad';
  if (needsApology && !apologised) return 'bad';
  if (beat.expect?.length && !report.strategies.some((s) => beat.expect.includes(s)) && !apologised) return 'bad';
  return 'good';
}

function reply() {
  const text = input.value.trim();
  if (!text || !session || session.done) return;
  session.messages.push({ role: 'agent', at: new Date().toISOString(), text });
  show('agent', text);
  input.value = '';
  widget.refresh();
  const scenario = session.scenario;
  const beat = scenario.beats[session.beat];
  const verdict = judge(text, beat);
  setTimeout(() => {
    if (verdict !== 'good' && session.retries < 1 && beat.escalate) {
      // An unapologetic or rude reply escalates; the trainee gets one more try at this beat.
      session.retries += 1;
      session.upset = true;
      customerSays([verdict === 'fatal' ? `${beat.escalate}！！` : beat.escalate]);
      return;
    }
    session.beat += 1;
    session.retries = 0;
    if (verdict === 'good') session.upset = false;
    if (session.beat < scenario.beats.length) {
      customerSays(scenario.beats[session.beat].customer);
    } else {
      customerSays([scenario.closing ?? (scenario.language === 'zh' ? '好的' : 'ok')]);
      const note = document.createElement('div');
      note.className = 'msg note';
      note.textContent = scenario.language === 'zh' ? '场景结束，可以结束并评分' : 'Scenario complete: finish to see the scorecard';
      chat.append(note);
    }
  }, delay);
}

// The sandbox's own send path (the widget holds back fatal replies before it runs).
input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    reply();
  }
});
$('send').addEventListener('click', reply);
$('start').addEventListener('click', start);

function finish() {
  if (!session) return;
  session.done = true;
  input.disabled = $('send').disabled = $('finish').disabled = true;
  widget?.detach();
  widget = null;
  const conversation = {
    id: session.id,
    platform: session.scenario.platform ?? 'generic',
    agent: params.get('trainee') ?? 'trainee',
    channel: 'practice',
    scenario: session.scenario.id,
    messages: session.messages,
  };
  const score = checker.scoreConversation(conversation, { locale: session.scenario.language });
  const zh = session.scenario.language === 'zh';
  const card = $('scorecard');
  card.hidden = false;
  card.replaceChildren();
  const head = document.createElement('div');
  head.innerHTML = `<span class="big ${score.passed ? 'pass' : 'fail'}"></span> <span></span>`;
  head.children[0].textContent = `${score.score}`;
  head.children[1].textContent = `${score.passed ? (zh ? '合格' : 'passed') : zh ? '不合格' : 'not passed'} · ${zh ? '合格线' : 'pass line'} ${score.pass_line}${score.fatal ? (zh ? ' · 致命项' : ' · fatal item') : ''}`;
  const table = document.createElement('table');
  table.innerHTML = `<tr><th>${zh ? '扣分项' : 'Deduction'}</th><th>${zh ? '分' : 'pts'}</th><th>${zh ? '原因' : 'Why'}</th></tr>`;
  for (const d of [...score.deductions, ...score.credits]) {
    const tr = document.createElement('tr');
    const isCredit = score.credits.includes(d);
    for (const cell of [d.name, `${isCredit ? '+' : '−'}${d.points}`, d.text ? `“${d.text}” ${d.reason}` : d.reason]) {
      const td = document.createElement('td');
      td.textContent = cell;
      tr.append(td);
    }
    table.append(tr);
  }
  const exportButton = document.createElement('button');
  exportButton.id = 'export-session';
  exportButton.type = 'button';
  exportButton.textContent = zh ? '导出本次练习 (JSONL)' : 'Export this session (JSONL)';
  exportButton.addEventListener('click', () => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([`${JSON.stringify(conversation)}\n`], { type: 'application/x-ndjson' }));
    a.download = `${session.id}.jsonl`;
    a.click();
  });
  card.append(head, table, exportButton);
  window.lastScore = score;
  window.lastSession = conversation;
}
$('finish').addEventListener('click', finish);
document.body.dataset.ready = 'true';
