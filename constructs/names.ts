/** Construct ids from DNS-style names: "service-nodes" → "ServiceNodes" (stable PascalCase child ids). */
export function pascal(name: string): string {
  return name.split("-").map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join("");
}
