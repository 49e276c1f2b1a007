// ZBar (the C barcode reader, built to WebAssembly: @undecaf/zbar-wasm from the npm registry)
// over raw 8-bit grey images.  Arguments: width height path, repeated; prints one JSON array of
// the symbols found per image.  Used by tests/support/zbar.py.
import { readFileSync } from "node:fs";
import { scanGrayBuffer } from "@undecaf/zbar-wasm";

const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 3) {
  const [width, height, path] = [Number(args[i]), Number(args[i + 1]), args[i + 2]];
  const symbols = await scanGrayBuffer(readFileSync(path), width, height);
  console.log(JSON.stringify(symbols.map((s) => ({ type: s.typeName, data: s.decode() }))));
}
