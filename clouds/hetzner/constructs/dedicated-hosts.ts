import { Construct } from "../../../constructs/cdk";
import { DataResource } from "../../../constructs/cdk";
import type { DedicatedHostSpec } from "../../../model/topology";

export interface DedicatedHostsProps {
  readonly hosts: readonly DedicatedHostSpec[];
  /** vSwitch the hosts are coupled to. */
  readonly vswitchId?: number;
}

/**
 * Dedicated (Robot) servers that Terraform does not create: rented monthly and joined to the
 * cloud network through the vSwitch subnet. Each is declared as a built-in `terraform_data`
 * carrying product, price key, address and labels, so it is priced, diffed and inventoried
 * like every other node; changing a product shows up in every plan.
 */
export class DedicatedHosts extends Construct {
  readonly hosts: DataResource[] = [];

  constructor(scope: Construct, id: string, props: DedicatedHostsProps) {
    super(scope, id);
    props.hosts.forEach((host, index) => {
      this.hosts.push(
        new DataResource(this, `Host${index + 1}`, {
          input: {
            aiwc_kind: "dedicated_server",
            provider: "hetzner",
            name: host.name,
            group: host.group,
            role: host.role,
            product: host.product,
            price_key: `hetzner.dedicated.${host.product}`,
            private_ip: host.address,
            ...(props.vswitchId !== undefined ? { vswitch_id: props.vswitchId } : {}),
            ...(host.serverNumber !== undefined ? { server_number: host.serverNumber } : {}),
            ...(host.orderedOn !== undefined ? { ordered_on: host.orderedOn } : {}),
            labels: { ...host.labels },
          },
        }),
      );
    });
  }
}
