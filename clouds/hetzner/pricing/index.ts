/** Hetzner's priced resources and free list. */
import type { PricedResourceType } from "../../../catalog/priced-resource";
import { dedicatedServer } from "./dedicated-server";
import { hcloudFloatingIp, hcloudPrimaryIp } from "./hcloud-ip";
import { hcloudLoadBalancer } from "./hcloud-load-balancer";
import { hcloudServer } from "./hcloud-server";
import { hcloudVolume } from "./hcloud-volume";
import { hetznerObjectStorage } from "./object-storage";

export const priced: readonly PricedResourceType<any>[] = [hcloudServer, hcloudVolume, hcloudPrimaryIp, hcloudFloatingIp, hcloudLoadBalancer, dedicatedServer, hetznerObjectStorage];

/** Types Hetzner does not charge for (private networks and firewalls are free: S_WP 2026-10-09). */
export const free: Readonly<Record<string, string>> = {
  hcloud_network: "private networks are free",
  hcloud_network_subnet: "part of a free private network",
  hcloud_network_route: "part of a free private network",
  hcloud_firewall: "firewalls are free",
  hcloud_firewall_attachment: "firewalls are free",
  hcloud_ssh_key: "SSH keys are free",
  hcloud_placement_group: "placement groups are free",
  hcloud_volume_attachment: "the volume is priced, not its attachment",
  hcloud_server_network: "part of a free private network",
  hcloud_load_balancer_network: "the load balancer is priced",
  hcloud_load_balancer_service: "the load balancer is priced",
  hcloud_load_balancer_target: "the load balancer is priced",
  hcloud_rdns: "reverse DNS entries are free",
};
