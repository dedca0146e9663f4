/** QR images (SVG) of check-code addresses, for the printed notice and the check page. */
import type QRCodeModule from 'qrcode';

let qrModule: Promise<typeof QRCodeModule> | undefined;

/** An SVG QR code of `text` (error correction M: survives a crease or a smudge on paper). */
export async function qrSvg(text: string): Promise<string> {
  const QRCode = await (qrModule ??= import('qrcode').then((m) => m.default));
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, color: { dark: '#000000', light: '#ffffff' } });
}
