/** OVH's priced resources and free list. */
import type { PricedResourceType } from "../../../catalog/priced-resource";
import { ovhCloudInstance, ovhCloudProjectInstance, ovhCloudProjectVolume } from "./ovh-instance";

export const priced: readonly PricedResourceType<any>[] = [ovhCloudInstance, ovhCloudProjectInstance, ovhCloudProjectVolume];

export const free: Readonly<Record<string, string>> = {
  ovh_cloud_project_network_private: "vRack private networks are free",
  ovh_cloud_project_network_private_subnet: "part of a free private network",
  ovh_cloud_project_network_private_subnet_v2: "part of a free private network",
  ovh_cloud_project_user: "project users are free",
  ovh_cloud_project_ssh_key: "SSH keys are free",
};
