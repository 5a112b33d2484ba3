/**
 * Runs before every test file. Modules that load lazily with require() (the CLI's commands,
 * each provider's stack builders) need Node to read TypeScript inside the test run too: tsx's
 * CommonJS hook gives it that (the shipped CLI runs compiled JavaScript from dist/).
 */
(require("tsx/cjs/api") as { register: () => void }).register();
