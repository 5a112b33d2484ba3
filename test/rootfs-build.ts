/**
 * `.ci/run` builds the idempotence tests' Debian tree in a step of its own, before the tests:
 * `npx tsx test/rootfs-build.ts` prints the cached tree's path.
 */
import { ensureRootfs } from "./helpers-rootfs";

console.log(ensureRootfs((line) => console.error(line)));
