/** The `ovh:` section of cluster.yaml: OVHcloud Public Cloud. Zod only: the bottom layer reads it. */
import { z } from "zod";

export const ovhSection = z
  .strictObject({
    /** Public Cloud project id (required on OVH). */
    serviceName: z.string().regex(/^[0-9a-f]{32}$/, "must be the Public Cloud project id (32 hex digits)").optional(),
    /** Region of every instance and volume. @default GRA11 */
    region: z.string().default("GRA11"),
    /** Image id for every node, per region (`openstack image list`; required on OVH). */
    imageId: z.string().optional(),
    /** Flavor ids by flavor name (`openstack flavor list`): every flavor the config uses needs one. @default none */
    flavorIds: z.record(z.string(), z.string()).default({}),
    /** SSH key registered in the project, injected at boot (required on OVH). */
    sshKeyName: z.string().optional(),
    /** vRack VLAN of the private network. @default 0 */
    vlanId: z.number().int().min(0).max(4000).default(0),
    /** Block storage class of Ceph data volumes and Storage+ volumes. @default high-speed */
    volumeType: z.enum(["classic", "high-speed", "high-speed-gen2"]).default("high-speed"),
  })
  .prefault({});
