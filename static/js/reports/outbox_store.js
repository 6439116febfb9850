/* search-coord: where the outbox (static/js/outbox.js) keeps its items: IndexedDB, or memory when IndexedDB cannot
   be opened (then a reload loses the items). Both stores keep items by an auto-increment key, indexed by owner. */

const DB_NAME = "sc-outbox";
const STORE = "items";

/* ---- storage: IndexedDB, or memory when IndexedDB cannot be opened (then a reload loses the items) ---- */

function req(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

class IdbStore {
  static open() {
    return new Promise((resolve, reject) => {
      if (!window.indexedDB) { reject(new Error("no indexedDB")); return; }
      const r = indexedDB.open(DB_NAME, 1);
      r.onupgradeneeded = () => {
        const db = r.result;
        if (!db.objectStoreNames.contains(STORE)) {
          const os = db.createObjectStore(STORE, { keyPath: "key", autoIncrement: true });
          os.createIndex("owner", "owner");
        }
      };
      r.onsuccess = () => resolve(new IdbStore(r.result));
      r.onerror = () => reject(r.error);
      r.onblocked = () => reject(new Error("indexedDB blocked"));
    });
  }
  constructor(db) { this.db = db; this.persistent = true; }
  async all(owner) {
    const tx = this.db.transaction(STORE, "readonly");
    const items = await req(tx.objectStore(STORE).index("owner").getAll(owner));
    return items.sort((a, b) => a.key - b.key);
  }
  async add(item) {
    const tx = this.db.transaction(STORE, "readwrite");
    const key = await req(tx.objectStore(STORE).add(item));
    item.key = key;
    return item;
  }
  async put(item) {
    const tx = this.db.transaction(STORE, "readwrite");
    await req(tx.objectStore(STORE).put(item));
    return item;
  }
  async remove(key) {
    const tx = this.db.transaction(STORE, "readwrite");
    await req(tx.objectStore(STORE).delete(key));
  }
  /** Atomically change one item: fn(item) returns the new item, or null to leave it. */
  update(key, fn) {
    return new Promise((resolve, reject) => {
      const tx = this.db.transaction(STORE, "readwrite");
      const os = tx.objectStore(STORE);
      let result = null;
      const g = os.get(key);
      g.onsuccess = () => {
        const cur = g.result;
        const next = cur ? fn(cur) : null;
        if (next) { os.put(next); result = next; }
      };
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }
}

class MemoryStore {
  constructor() { this.items = new Map(); this.next = 1; this.persistent = false; }
  async all(owner) { return Array.from(this.items.values()).filter((i) => i.owner === owner).sort((a, b) => a.key - b.key); }
  async add(item) { item.key = this.next++; this.items.set(item.key, item); return item; }
  async put(item) { this.items.set(item.key, item); return item; }
  async remove(key) { this.items.delete(key); }
  async update(key, fn) {
    const cur = this.items.get(key);
    const next = cur ? fn(cur) : null;
    if (next) this.items.set(key, next);
    return next;
  }
}

export const OutboxStores = { IdbStore, MemoryStore };
