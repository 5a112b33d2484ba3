/**
 * OVH Public Cloud instances and volumes (config/prices/ovh.yaml). Instances are priced at the
 * monthly plan where OVH offers one, else 730 × hourly; `ovh_cloud_instance` (provider 2.19)
 * and the Beta `ovh_cloud_project_instance` read the flavor the same way.
 */
import { z } from "zod";
import { money } from "../../../catalog/money";
import { blocks, pricedResource } from "../../../catalog/priced-resource";

// ovh_cloud_instance has `flavor_id`; ovh_cloud_project_instance a `flavor { flavor_id }` block
// (and a computed `flavor_name` in plans). The catalog is keyed by flavor name (b3-8, l4-90):
// an id that is not a name reports a missing price rather than a guess.
const instanceSchema = z.object({
  flavor_id: z.string().optional(),
  flavor_name: z.string().optional(),
  flavor: blocks(z.object({ flavor_id: z.string().optional() })).optional(),
  region: z.string().optional(),
});

function flavorOf(a: z.infer<typeof instanceSchema>): string {
  return a.flavor_name ?? a.flavor_id ?? a.flavor?.[0]?.flavor_id ?? "unknown";
}

const instance = (type: string) =>
  pricedResource({
    type,
    provider: "ovh",
    schema: instanceSchema,
    region: (a) => a.region,
    components: (a, context) => {
      // Flavor ids are UUIDs per region; the config's ovh.flavorIds say which catalog flavor each is.
      const flavor = context.book.resolveAlias("ovh", flavorOf(a));
      return [{ name: `Instance (${flavor})`, unit: "months", quantity: money(1), price: { provider: "ovh", section: "server_types", id: flavor } }];
    },
  });

export const ovhCloudInstance = instance("ovh_cloud_instance");
export const ovhCloudProjectInstance = instance("ovh_cloud_project_instance");

export const ovhCloudProjectVolume = pricedResource({
  type: "ovh_cloud_project_volume",
  provider: "ovh",
  schema: z.object({ size: z.coerce.number().positive(), type: z.string().optional(), region_name: z.string().optional() }),
  region: (a) => a.region_name,
  components: (a) => {
    const type = (a.type ?? "classic").replace(/-gen2$/, "").replace(/-/g, "_");
    return [{ name: `Block storage (${a.type ?? "classic"})`, unit: "GB", quantity: money(a.size), price: { provider: "ovh", section: "products", id: `volume_${type}_gb` } }];
  },
});
