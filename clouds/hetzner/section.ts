/** The `hetzner:` section of cluster.yaml: Hetzner Cloud (and Robot dedicated servers through a vSwitch). Zod only: the bottom layer reads it. */
import { z } from "zod";

export const hetznerSection = z
  .strictObject({
    /** Location of every cloud server and volume. @default fsn1 (Falkenstein, where GEX44 lives) */
    location: z.string().default("fsn1"),
    /** Default image. @default ubuntu-24.04 */
    image: z.string().default("ubuntu-24.04"),
    /** Robot vSwitch id for dedicated servers; enables the vSwitch subnet. @default none */
    vswitchId: z.number().int().positive().optional(),
    /** The project's server limit as the Cloud Console shows it (Limits); aiwc warns before a deploy would pass it. @default unknown */
    serverLimit: z.number().int().positive().optional(),
  })
  .prefault({});
