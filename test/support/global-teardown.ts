/** Runs once per project (see global-setup.ts): the first call stops the one DynamoDB Local. */
export default async function globalTeardown() {
  const g = globalThis as any;
  const [front, ddb] = [g.__FRONT__, g.__DDB__];
  g.__FRONT__ = g.__DDB__ = undefined;
  await front?.stop();
  await ddb?.stop();
}
