import { Construct } from "../../../constructs/cdk";
import { Token } from "../../../constructs/cdk";
import { Server } from "../../../.gen/providers/hcloud/server";
import { Volume } from "../../../.gen/providers/hcloud/volume";
import { storageVolumeName, type UserVmSpec } from "../../../model/topology";
import { BOOT_ONLY_ATTRIBUTES } from "./node-group";

export interface UserVmProps {
  readonly spec: UserVmSpec;
  readonly location: string;
  /** Private network id (from the platform stack). */
  readonly networkId: number;
  /** The users subnet id (from the platform stack). */
  readonly subnetId: string;
  /** Operators' hcloud_ssh_key ids for root (from the platform stack). */
  readonly sshKeyIds: readonly string[];
  /** cloud-init user data creating the user's account. */
  readonly userData: string;
}

/**
 * One user's VM: private-only in the users subnet, the user's own account and key, labels
 * with user, tariff and packs; packs with extra storage (Storage+) attach a volume, which is
 * protected like all stored data.
 */
export class UserVm extends Construct {
  readonly server: Server;
  readonly volume?: Volume;

  constructor(scope: Construct, id: string, props: UserVmProps) {
    super(scope, id);
    const { spec } = props;
    this.server = new Server(this, "Server", {
      name: spec.name,
      serverType: spec.serverType,
      image: spec.image,
      location: props.location,
      labels: { ...spec.labels },
      sshKeys: [...props.sshKeyIds],
      userData: props.userData,
      publicNet: [{ ipv4Enabled: false, ipv6Enabled: false }],
      network: [{ networkId: props.networkId, subnetId: props.subnetId }],
      ...(spec.deleteProtection ? { deleteProtection: true, rebuildProtection: true } : {}),
      // Account, key and sudo live in the user data; they change through users.yml, never by replacing the VM.
      lifecycle: { ignoreChanges: [...BOOT_ONLY_ATTRIBUTES] },
    });
    if (spec.extraVolumeGb > 0) {
      this.volume = new Volume(this, "StorageVolume", {
        name: storageVolumeName(spec.name),
        size: spec.extraVolumeGb,
        location: props.location,
        serverId: Token.asNumber(this.server.id),
        labels: { ...spec.labels },
        automount: true,
        format: "ext4",
        deleteProtection: spec.deleteProtection,
        lifecycle: { preventDestroy: true },
      });
    }
  }
}
