// The score log: every sent message's report, kept in the browser's IndexedDB so that nothing
// is lost on reload or when the tab crashes (each message is committed in its own transaction
// before the send goes on). Exported as JSON Lines in the conversation format that
// `zhijian review` reads (docs/conversations.md).

const DB_NAME = 'zhijian';
const STORE = 'messages';

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Personal data masked: mainland mobile numbers, identity-card and payment-card numbers keep
 *  their last four characters. Spans the engine flagged as privacy hints are masked too. */
export function maskPersonalData(text, hints = []) {
  // Engine spans are UTF-16 offsets, as JavaScript strings index; masking keeps the length.
  let units = text;
  for (const h of hints) {
    if (h.category !== 'privacy') continue;
    const part = units.slice(h.start, h.end);
    const masked = part.replace(/[0-9A-Za-z]/g, (c, i) => (i >= part.length - 4 ? c : '*'));
    units = units.slice(0, h.start) + masked + units.slice(h.end);
  }
  const keepLast4 = (m) => m.slice(0, -4).replace(/[0-9Xx]/g, '*') + m.slice(-4);
  return units
    .replace(/(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9])/g, keepLast4)
    .replace(/(?<![0-9])1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])/g, keepLast4)
    .replace(/(?<![0-9])[0-9]{4}(?:[ -]?[0-9]{4}){2,3}(?:[ -]?[0-9]{1,3})?(?![0-9])/g, keepLast4);
}

export class ScoreLog {
  /** Opens (or creates) the log. `name` lets tests and several widgets keep separate logs. */
  static async open(name = DB_NAME) {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => {
      const store = req.result.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
      store.createIndex('conversation', 'conversation');
    };
    return new ScoreLog(await request(req));
  }

  constructor(db) {
    this.db = db;
  }

  /** Adds one record and resolves once it is committed to disk. */
  add(record) {
    return new Promise((resolve, reject) => {
      const tx = this.db.transaction(STORE, 'readwrite', { durability: 'strict' });
      const req = tx.objectStore(STORE).add(record);
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  /** Every record, oldest first. */
  async all() {
    const tx = this.db.transaction(STORE, 'readonly');
    return request(tx.objectStore(STORE).getAll());
  }

  async clear() {
    const tx = this.db.transaction(STORE, 'readwrite');
    await request(tx.objectStore(STORE).clear());
  }

  /** JSON Lines, one conversation per line, in the format `zhijian review` reads. The widget's
   *  report of each agent message travels along in `zhijian` (review ignores it). */
  async exportJsonl() {
    const conversations = new Map();
    for (const r of await this.all()) {
      let c = conversations.get(r.conversation);
      if (!c) {
        c = { id: r.conversation, platform: r.platform, agent: r.agent, messages: [] };
        conversations.set(r.conversation, c);
      }
      const message = { role: r.role, at: r.at, text: r.text };
      if (r.role === 'agent') {
        message.sender = r.agent;
        message.zhijian = { score: r.score, fatal: r.fatal, rules: r.rules, override: r.override ?? null, masked: r.masked };
      }
      c.messages.push(message);
    }
    return [...conversations.values()]
      .map((c) => {
        c.messages.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
        return JSON.stringify(c);
      })
      .join('\n') + (conversations.size ? '\n' : '');
  }
}
