import { createContext } from 'preact';

/**
 * True while the popup's first frame is rendered (by the background, render-stored-popup.tsx): the
 * decorations (sparklines, the goal and sleep-stage bars) render as empty boxes of their final size,
 * and the interactive popup draws them a frame later. Inline SVG and inline styles are what the
 * first frame cannot afford: the SVG made its layout and paint cost more than all the text, and the
 * style attributes the bars are drawn with are refused by the CSP in HTML painted from a string.
 */
export const FirstFrame = createContext(false);
