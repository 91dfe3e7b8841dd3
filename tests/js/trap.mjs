// No public call aborts the engine's module once its inputs are checked, so the abort tests make
// one: every module instantiated after this file loads gets its exported malloc wrapped, and after
// trapNextMalloc() the next call to it runs a wasm `unreachable` first, a genuine trap
// (WebAssembly.RuntimeError), as memory exhausted mid-call would.
let armed = false;
const trap = new WebAssembly.Instance(new WebAssembly.Module(Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
  0x07, 0x08, 0x01, 0x04, 0x74, 0x72, 0x61, 0x70, 0x00, 0x00, 0x0a, 0x05, 0x01, 0x03, 0x00, 0x00, 0x0b,
]))).exports.trap;
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async (...args) => {
  const result = await instantiate.apply(WebAssembly, args);
  if (!result.instance?.exports.malloc) return result;
  const exports = { ...result.instance.exports };
  const { malloc } = exports;
  exports.malloc = (size) => {
    if (armed) {
      armed = false;
      trap();
    }
    return malloc(size);
  };
  return { module: result.module, instance: { exports } };
};

export function trapNextMalloc() {
  armed = true;
}
