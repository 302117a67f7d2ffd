// The mock chat console. Everything above the marked line is "the chat page": it knows nothing
// of zhijian. The last lines attach the widget, as a shop would with one call.
const params = new URLSearchParams(location.search);
const conversationId = params.get('conversation') ?? 'demo-1';
document.getElementById('conversation').textContent = conversationId;

const chat = document.getElementById('chat');
const useEditable = params.get('editor') === 'contenteditable';
const input = useEditable ? document.getElementById('editable') : document.getElementById('input');
if (useEditable) {
  document.getElementById('input').hidden = true;
  input.hidden = false;
}
const sendButton = document.getElementById('send');

const script = [
  '在吗？我上周买的收纳盒到现在还没发货',
  '都一个星期了，什么态度！再不发货我就投诉了',
  '那今天能发吗？',
  '好的，谢谢',
];
let next = 0;
const sent = []; // what the page has sent, for tests

function show(role, text) {
  const div = document.createElement('div');
  div.className = `msg ${role}`;
  div.textContent = text;
  const at = document.createElement('span');
  at.className = 'at';
  at.textContent = new Date().toLocaleTimeString();
  div.append(at);
  chat.append(div);
  chat.scrollTop = chat.scrollHeight;
}

function valueOf() {
  return useEditable ? input.textContent : input.value;
}

function clear() {
  if (useEditable) input.textContent = '';
  else input.value = '';
}

// The page's own send path: Enter in the input, or the button.
function send() {
  const text = valueOf().trim();
  if (!text) return;
  show('agent', text);
  sent.push(text);
  clear();
}
input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    send();
  }
});
sendButton.addEventListener('click', send);
window.demo = { sent, customerSays: null };

// ---- zhijian, attached from the outside ----
import { attach } from '../widget/zhijian-widget.js';

const widget = await attach(input, {
  sendButton,
  conversationId,
  agentId: 'xiaomei',
  platform: 'taobao',
  locale: params.get('locale') ?? 'zh',
  logName: params.get('log') ?? 'zhijian-demo',
  keepFullText: false,
});
window.widget = widget;

function customerSays(text) {
  show('customer', text);
  widget.customerSaid(text);
}
window.demo.customerSays = customerSays;
document.getElementById('next-customer').addEventListener('click', () => {
  if (next < script.length) customerSays(script[next++]);
});
document.getElementById('keep-full').addEventListener('change', (e) => {
  widget.keepFullText = e.target.checked;
});

async function showLogged() {
  const records = await widget.log.all();
  document.getElementById('logged').textContent = `已记录 ${records.filter((r) => r.role === 'agent').length} 条`;
}
widget.options.onSent = () => widget.lastLogged?.then(showLogged);
showLogged();

document.getElementById('export').addEventListener('click', async () => {
  const jsonl = await widget.log.exportJsonl();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([jsonl], { type: 'application/x-ndjson' }));
  a.download = `zhijian-log-${new Date().toISOString().slice(0, 10)}.jsonl`;
  a.click();
});

if (params.get('autostart') !== '0' && next === 0) customerSays(script[next++]);
document.body.dataset.ready = 'true';
