/**
 * The popup's first frame as a tree of plain data, built into DOM with createElement, setAttribute
 * and text nodes: no HTML string ever reaches a DOM sink, so the pages keep their CSP's
 * `trusted-types 'none'` and need no HTML parser. A node is a text, or `[tag, attributes,
 * ...children]`.
 */
export type FrameNode = string | [tag: string, attributes: Record<string, string>, ...children: FrameNode[]];

/** Tags and attribute names the tree may hold: plain HTML elements, no handlers, no styles. */
const TAG = /^[a-z][a-z0-9]*$/;
const ATTRIBUTE = /^(?!on)(?!style$)[a-z][a-z0-9-]*$/;
/** Elements the first frame never holds: scripts and anything that loads or embeds. */
const REFUSED = new Set(['script', 'style', 'iframe', 'object', 'embed', 'link', 'meta', 'base', 'form', 'svg', 'math', 'template', 'img']);

/** Whether `value` is a frame tree (checked the same way by the background's schema and the popup). */
export function isFrameTree(value: unknown): value is FrameNode[] {
  return Array.isArray(value) && value.every(isFrameNode);
}

function isFrameNode(node: unknown): node is FrameNode {
  if (typeof node === 'string') return true;
  if (!Array.isArray(node) || node.length < 2) return false;
  const [tag, attributes, ...children] = node as unknown[];
  return (
    typeof tag === 'string' &&
    TAG.test(tag) &&
    !REFUSED.has(tag) &&
    typeof attributes === 'object' &&
    attributes !== null &&
    !Array.isArray(attributes) &&
    Object.entries(attributes).every(([name, value]) => ATTRIBUTE.test(name) && typeof value === 'string') &&
    children.every(isFrameNode)
  );
}

/** Builds `nodes` into `parent` (which must be empty). */
export function buildFrameTree(parent: Element, nodes: readonly FrameNode[]): void {
  const document = parent.ownerDocument;
  const build = (node: FrameNode): Node => {
    if (typeof node === 'string') return document.createTextNode(node);
    const [tag, attributes, ...children] = node;
    const element = document.createElement(tag);
    for (const name in attributes) element.setAttribute(name, attributes[name]!);
    for (const child of children) element.append(build(child));
    return element;
  };
  for (const node of nodes) parent.append(build(node));
}

/**
 * The Sanitizer API configuration the popup inserts a frame's HTML with. `setHTML` is the safe
 * method: whatever the configuration, the browser drops everything that can run script (scripts,
 * frames, event handler attributes, `javascript:` URLs). This configuration also removes what
 * {@link isFrameTree} refuses, so both ways of painting a frame hold the same rule, and comments.
 */
export const FRAME_SANITIZER = {
  removeElements: [...REFUSED].map((name) =>
    name === 'svg' ? { name, namespace: 'http://www.w3.org/2000/svg' } : name === 'math' ? { name, namespace: 'http://www.w3.org/1998/Math/MathML' } : name,
  ),
  removeAttributes: ['style'],
  comments: false,
} as const;

/** `Element.setHTML` of the Sanitizer API: not in every browser this extension supports, nor yet in TypeScript's DOM types. */
type SetHtml = (this: Element, html: string, options: { sanitizer: typeof FRAME_SANITIZER }) => void;

/**
 * Inserts `html` into `parent` (replacing what it holds) with the Sanitizer API's safe setHTML and
 * {@link FRAME_SANITIZER}; false, touching nothing, where the browser has no setHTML.
 */
export function setFrameHtml(parent: Element, html: string): boolean {
  const setHTML = (parent as Element & { setHTML?: SetHtml }).setHTML;
  if (typeof setHTML !== 'function') return false;
  setHTML.call(parent, html, { sanitizer: FRAME_SANITIZER });
  return true;
}
