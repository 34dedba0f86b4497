export default async function globalTeardown() {
  await (globalThis as any).__FRONT__?.stop();
  await (globalThis as any).__DDB__?.stop();
}
