/**
 * Stage an interleaving that DynamoDB Local (one transaction at a time) would not produce by itself:
 * a middleware on the store's client runs another write just before a chosen command is sent.
 */
import { runAs } from '../../functions/store/db.ts';
import { useClientWith } from './client.ts';

export type Input = { TransactItems?: Record<string, any>[]; Key?: Record<string, any>; IndexName?: string; ExpressionAttributeValues?: Record<string, any> };
type Hook = (command: string, input: Input) => Promise<void>;

/** A key attribute as a string, whether the middleware sees it marshalled or not. */
export const str = (v: unknown) => (v && typeof v === 'object' && 'S' in v ? (v as { S: string }).S : v);

/** A transaction with an action of this kind on this sort key (and, with `cond`, that action passing it). */
export const tx = (kind: 'Put' | 'Update' | 'Delete', sk: string, cond?: (a: Record<string, any>) => boolean) => (command: string, input: Input) =>
  command === 'TransactWriteItemsCommand' &&
  !!input.TransactItems?.some((t) => {
    const a = t[kind];
    if (!a) return false;
    return str((kind === 'Put' ? a.Item : a.Key)?.SK) === sk && (!cond || cond(a));
  });

/** Install in beforeAll; `before(when, meanwhile)` arms one staging; `restore()` in afterAll. */
export function stager(name = 'stage') {
  let hook: Hook | undefined;
  let hide: ((command: string, input: Input, item: Record<string, any>) => boolean) | undefined;
  let restore = () => {};
  return {
    install() {
      restore = useClientWith(name, (next, context) => async (args) => {
        if (hook) await hook(context.commandName ?? '', args.input as Input);
        const out = await next(args);
        const items = (out.output as { Items?: Record<string, any>[] }).Items;
        if (hide && items)
          (out.output as { Items?: Record<string, any>[] }).Items = items.filter((i) => !hide!(context.commandName ?? '', args.input as Input, i));
        return out;
      });
    },
    restore: () => restore(),
    disarm: () => {
      hook = undefined;
      hide = undefined;
    },
    /** Leave out of every Query / Scan answer the items `when` matches (an index that has not caught up yet). */
    lag(when: typeof hide) {
      hide = when;
    },
    /** Before the first command `when` matches is sent, run `meanwhile` (once, with the hook off). */
    before(when: (command: string, input: Input) => boolean, meanwhile: () => Promise<unknown>): { ran: () => boolean } {
      let ran = false;
      hook = async (command, input) => {
        if (!when(command, input)) return;
        hook = undefined;
        // another actor's write: as the set-up (admin), not as the function whose command it precedes
        await runAs('admin', meanwhile);
        ran = true;
      };
      return { ran: () => ran };
    },
  };
}
