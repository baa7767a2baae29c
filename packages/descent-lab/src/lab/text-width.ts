import * as vega from 'vega';

/**
 * Text widths for Vega's layout in Node. Without a canvas Vega guesses 0.8 em per character,
 * far wider than real text, so it cuts legend labels short with an ellipsis and pads titles.
 * These are the advance widths of DejaVu Sans, the figures' first font and the widest of their
 * fallbacks (Helvetica and Arial are narrower), so nothing measured here overflows when shown.
 */

/** Advance widths in thousandths of an em of the printable ASCII characters, space to tilde. */
const book =
  '318 401 460 838 636 950 780 275 390 390 500 838 318 361 318 337 636 636 636 636 636 636 636 636 636 636 337 337 838 838 838 531 1000 684 686 698 770 632 575 775 752 295 295 656 557 863 748 787 603 787 695 635 611 732 684 989 685 611 685 390 337 390 838 500 500 613 635 550 635 615 352 635 634 278 278 579 278 974 634 612 635 635 411 521 392 634 592 818 592 592 525 636 337 636 838';
const bold =
  '348 456 521 838 696 1002 872 306 457 457 523 838 380 415 380 365 696 696 696 696 696 696 696 696 696 696 400 400 838 838 838 580 1000 774 762 734 830 683 683 821 837 372 372 775 637 995 837 850 733 850 770 720 682 812 774 1103 771 724 725 457 365 457 838 500 500 675 716 593 716 678 435 716 712 343 343 665 343 1042 712 687 716 716 493 595 478 712 652 924 645 652 582 712 365 712 838';

const tables = [book, bold].map((text) => text.split(' ').map(Number));

/** Beyond ASCII: the lab's sub- and superscripts, and everything else (Greek, −, ×, ✓) as wide as '='. */
function otherWidth(char: string, isBold: boolean): number {
  if (/[₀-₉⁰-⁹²³ᵗ]/.test(char)) return isBold ? 438 : 401;
  if (/[α-ω]/.test(char)) return isBold ? 716 : 638;
  return 838;
}

export function textWidth(text: string, fontSize: number, isBold = false): number {
  const table = tables[isBold ? 1 : 0];
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    width += code >= 32 && code < 127 ? table[code - 32] : otherWidth(char, isBold);
  }
  return (width * fontSize) / 1000;
}

let installed = false;

/** Makes Vega measure text with `textWidth` (once per process). */
export function installTextWidth(): void {
  if (installed) return;
  installed = true;
  // Vega exports textMetrics for exactly this (its typings leave it out); 11 is its default size.
  const { textMetrics } = vega as unknown as {
    textMetrics: { width: (item: Record<string, unknown>, text: string) => number };
  };
  textMetrics.width = (item, text) => {
    const weight = item.fontWeight;
    const isBold = weight === 'bold' || (typeof weight === 'number' && weight >= 600);
    const size = item.fontSize == null ? 11 : Number(item.fontSize);
    return textWidth(String(text ?? ''), size, isBold);
  };
}
