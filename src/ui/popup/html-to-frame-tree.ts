import { isFrameTree, type FrameNode } from '../../shared/frame-tree';

/** Elements preact-render-to-string closes with `/>` and that take no children. */
const VOID = new Set(['area', 'br', 'col', 'hr', 'input', 'wbr']);
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", apos: "'" };

function decode(text: string): string {
  return text.replace(/&([a-z]+|#39|#x27);/g, (entity, name: string) => {
    const decoded = ENTITIES[name];
    if (decoded === undefined) throw new Error(`Unexpected entity ${entity} in the rendered frame`);
    return decoded;
  });
}

/**
 * The frame tree of the markup preact-render-to-string produced from our own components: a strict
 * reader of that one output format (double-quoted attributes, the five escapes it writes, void
 * elements closed with `/>`). Anything else throws, and the view is then stored without a frame.
 */
export function htmlToFrameTree(html: string): FrameNode[] {
  interface Open {
    tag: string;
    attributes: Record<string, string>;
    children: FrameNode[];
  }
  const top: Open = { tag: '', attributes: {}, children: [] };
  const stack: Open[] = [top];
  const token = /<\/([a-z][a-z0-9]*)>|<([a-z][a-z0-9]*)((?:\s+[a-z][a-z0-9-]*(?:="[^"]*")?)*)\s*(\/?)>|([^<]+)/y;
  const attribute = /\s+([a-z][a-z0-9-]*)(?:="([^"]*)")?/y;
  let at = 0;
  while (at < html.length) {
    token.lastIndex = at;
    const match = token.exec(html);
    if (!match) throw new Error(`Unexpected markup at ${at} in the rendered frame`);
    at = token.lastIndex;
    const [, closing, tag, attributeText = '', selfClosing, text] = match;
    const current = stack.at(-1)!;
    if (text !== undefined) {
      current.children.push(decode(text));
    } else if (closing !== undefined) {
      if (closing !== current.tag || current === top) throw new Error(`Unbalanced </${closing}> in the rendered frame`);
      stack.pop();
      stack.at(-1)!.children.push([current.tag, current.attributes, ...current.children]);
    } else {
      const attributes: Record<string, string> = {};
      attribute.lastIndex = 0;
      for (let found = attribute.exec(attributeText); found; found = attribute.exec(attributeText)) {
        attributes[found[1]!] = found[2] === undefined ? '' : decode(found[2]);
      }
      if (selfClosing || VOID.has(tag!)) current.children.push([tag!, attributes]);
      else stack.push({ tag: tag!, attributes, children: [] });
    }
  }
  if (stack.length !== 1) throw new Error(`Unclosed <${stack.at(-1)!.tag}> in the rendered frame`);
  if (!isFrameTree(top.children)) throw new Error('The rendered frame holds an element or attribute a frame may not');
  return top.children;
}
