// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { createLocalStorageFrameCache, createOffscreenFrameCache, type OffscreenDeps } from '../../src/background/frame-cache';
import { applyFrameCache, isFrameCacheMessage, paintsTheSame, readFrameCache, type WebStorage } from '../../src/shared/frame-cache';
import { buildFrameTree } from '../../src/shared/frame-tree';
import type { PopupFrame } from '../../src/shared/popup-view';
import { htmlToFrameTree } from '../../src/ui/popup/html-to-frame-tree';
import { FRAME_CACHE_KEY, FRAME_CACHE_MESSAGE, POPUP_VIEW_VERSION } from '../../src/shared/popup-view-keys';

const FRAME: PopupFrame = { v: POPUP_VIEW_VERSION, key: 'session@1', tree: [['p', { class: 'value' }, '62']], date: '2026-11-28', language: 'en-US', lang: 'en', title: 'CardioMood Readings' };

function memoryStorage(): WebStorage & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    getItem: (key) => entries.get(key) ?? null,
    setItem: (key, value) => void entries.set(key, value),
    removeItem: (key) => void entries.delete(key),
  };
}

describe('the frame copy in localStorage', () => {
  it('should write, read back and delete a frame', async () => {
    const storage = memoryStorage();
    await createLocalStorageFrameCache(storage).write(FRAME);
    expect(readFrameCache(storage)).toEqual(FRAME);
    await createLocalStorageFrameCache(storage).write(null);
    expect(storage.entries.size).toBe(0);
    expect(readFrameCache(storage)).toBeNull();
  });

  it.each([
    ['not JSON', '{'],
    ['another version', JSON.stringify({ ...FRAME, v: POPUP_VIEW_VERSION + 1 })],
    ['no tree', JSON.stringify({ ...FRAME, tree: undefined })],
    ['a script in the tree', JSON.stringify({ ...FRAME, tree: [['script', {}, 'alert(1)']] })],
    ['a handler in the tree', JSON.stringify({ ...FRAME, tree: [['p', { onclick: 'alert(1)' }, 'x']] })],
    ['a style in the tree', JSON.stringify({ ...FRAME, tree: [['p', { style: 'color:red' }, 'x']] })],
    ['a string', JSON.stringify('frame')],
    ['HTML that is not a string', JSON.stringify({ ...FRAME, html: ['p', {}, 'x'] })],
  ])('should read %s as no frame', (_name, text) => {
    const storage = memoryStorage();
    storage.setItem(FRAME_CACHE_KEY, text);
    expect(readFrameCache(storage)).toBeNull();
  });

  it('should read a frame that carries its HTML without walking its tree (the Sanitizer API checks the HTML, the popup the tree if it builds it)', () => {
    const storage = memoryStorage();
    const withHtml = { ...FRAME, html: '<p class="value">62</p>', tree: [['script', {}, 'not walked']] };
    storage.setItem(FRAME_CACHE_KEY, JSON.stringify(withHtml));
    expect(readFrameCache(storage)).toEqual(withHtml);
  });

  it('should read no frame when localStorage throws', () => {
    const storage = { ...memoryStorage(), getItem: () => { throw new Error('denied'); } };
    expect(readFrameCache(storage)).toBeNull();
  });

  it('should apply only messages addressed to it', () => {
    expect(isFrameCacheMessage({ target: FRAME_CACHE_MESSAGE, frame: null })).toBe(true);
    expect(isFrameCacheMessage({ type: 'getStatus', timestamp: 1 })).toBe(false);
    expect(isFrameCacheMessage(null)).toBe(false);
    const storage = memoryStorage();
    applyFrameCache(storage, FRAME);
    expect(storage.entries.get(FRAME_CACHE_KEY)).toBe(JSON.stringify(FRAME));
  });
});

describe('paintsTheSame', () => {
  const rendered = { ...FRAME, key: 'session@1000#5e1f00aa' };
  it('should tell frames apart by what they paint, not by when they were rendered', () => {
    expect(paintsTheSame(rendered, { ...rendered, key: 'session@61000#5e1f00aa' })).toBe(true);
  });

  it.each([
    ['other markup', { key: 'session@1000#0badf00d' }],
    ['the other area', { key: 'local@1000#5e1f00aa' }],
    ['another day', { date: '2026-11-29' }],
    ['another browser language', { language: 'de' }],
    ['another page language', { lang: 'de' }],
    ['another title', { title: 'CardioMood' }],
  ])('should tell a frame with %s apart', (_name, change) => {
    expect(paintsTheSame(rendered, { ...rendered, ...change })).toBe(false);
  });
});

describe('createOffscreenFrameCache', () => {
  function offscreen(answer: unknown = true) {
    const calls: string[] = [];
    const deps: OffscreenDeps = {
      url: 'chrome-extension://id/offscreen.html',
      createDocument: vi.fn(async ({ reasons }) => void calls.push(`create ${reasons.join()}`)),
      closeDocument: vi.fn(async () => void calls.push('close')),
      sendMessage: vi.fn(async (message) => {
        calls.push(`send ${message.frame ? 'frame' : 'null'}`);
        return answer;
      }),
    };
    return { deps, calls };
  }

  it('should open the offscreen document, hand it the frame and close it, one write at a time', async () => {
    const { deps, calls } = offscreen();
    const cache = createOffscreenFrameCache(deps);
    await Promise.all([cache.write(FRAME), cache.write(null)]);
    expect(calls).toEqual(['create LOCAL_STORAGE', 'send frame', 'close', 'create LOCAL_STORAGE', 'send null', 'close']);
    expect(deps.sendMessage).toHaveBeenCalledWith({ target: FRAME_CACHE_MESSAGE, frame: FRAME });
  });

  it('should use a document left open, and close it even when the document does not apply the frame', async () => {
    const { deps, calls } = offscreen(false);
    deps.createDocument = vi.fn(async () => Promise.reject(new Error('Only a single offscreen document may be created.')));
    await expect(createOffscreenFrameCache(deps).write(FRAME)).rejects.toThrow('did not apply');
    expect(calls).toEqual(['send frame', 'close']);
  });

  it('should fail, and go on with the next write, when the document cannot be opened', async () => {
    const { deps, calls } = offscreen();
    deps.createDocument = vi.fn().mockRejectedValueOnce(new Error('no offscreen')).mockResolvedValue(undefined);
    const cache = createOffscreenFrameCache(deps);
    await expect(cache.write(FRAME)).rejects.toThrow('no offscreen');
    await cache.write(null);
    expect(calls).toEqual(['send null', 'close']);
  });
});

describe('htmlToFrameTree', () => {
  it('should read what preact-render-to-string writes, and build it into the DOM it describes', () => {
    const html = '<div class="a&quot;b" data-x="1&amp;2" hidden><br/><input type="text" value="x"/>a&lt;b>&amp;c\'d&quot;<button aria-pressed="false">x</button></div>';
    const tree = htmlToFrameTree(html);
    expect(tree).toEqual([['div', { class: 'a"b', 'data-x': '1&2', hidden: '' }, ['br', {}], ['input', { type: 'text', value: 'x' }], 'a<b>&c\'d"', ['button', { 'aria-pressed': 'false' }, 'x']]]);
    const root = document.createElement('div');
    buildFrameTree(root, tree);
    expect(root.innerHTML).toBe('<div class="a&quot;b" data-x="1&amp;2" hidden=""><br><input type="text" value="x">a&lt;b&gt;&amp;c\'d"<button aria-pressed="false">x</button></div>');
  });

  it.each([
    ['an unknown entity', '<p>&nbsp;</p>'],
    ['an unclosed element', '<p><span>x</p>'],
    ['a stray closing tag', 'x</p>'],
    ['an unquoted attribute', '<p class=a>x</p>'],
    ['a comment', '<!-- x --><p>x</p>'],
    ['a script', '<script>alert(1)</script>'],
    ['a handler', '<p onclick="alert(1)">x</p>'],
    ['an inline style', '<p style="color:red">x</p>'],
  ])('should refuse %s', (_name, html) => {
    expect(() => htmlToFrameTree(html)).toThrow();
  });
});
