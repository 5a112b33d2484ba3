import { Construct } from "../../../constructs/cdk";
import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { VolumeAttachment } from "@cdktf/provider-aws/lib/volume-attachment";
import type { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { dataVolumeName, type NodeSpec } from "../../../model/topology";

/**
 * Attributes that only seed a new instance: a new AMI or key pair replaces an instance, new
 * user data stops and starts it. Terraform ignores them afterwards; keys, accounts and
 * firewalls on running instances change through Ansible.
 */
export const AWS_BOOT_ONLY_ATTRIBUTES = ["ami", "user_data", "key_name"] as const;

export interface AwsNodeGroupProps {
  readonly nodes: readonly NodeSpec[];
  readonly instanceType: string;
  readonly ami: string;
  /** Subnets to spread the nodes over, one per availability zone (round robin). */
  readonly subnets: readonly Subnet[];
  readonly securityGroupIds: readonly string[];
  readonly keyName: string;
  readonly userData: string;
  /** gp3 root volume, GB. */
  readonly rootVolumeGb: number;
  /**
   * A gp3 data volume per node, GB, protected by prevent_destroy (Ceph).
   * @default - no data volume
   */
  readonly dataVolumeGb?: number;
  /**
   * Fixed private addresses, one per node.
   * @default - AWS assigns addresses
   */
  readonly privateIps?: readonly string[];
  /**
   * EC2 termination protection (`disable_api_termination`): the instance cannot be terminated
   * until it is turned off. @default false
   */
  readonly deleteProtection?: boolean;
  /** Tags on every resource of the group (node name added as Name). */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * N instances of one type spread over the zones' subnets, private-only, IMDSv2 only, an
 * encrypted gp3 root volume, and optionally an encrypted gp3 data volume each that no plan can
 * delete (Ceph's storage).
 */
export class AwsNodeGroup extends Construct {
  readonly instances: Instance[] = [];
  readonly volumes: EbsVolume[] = [];

  constructor(scope: Construct, id: string, props: AwsNodeGroupProps) {
    super(scope, id);
    if (props.subnets.length === 0) throw new Error(`AwsNodeGroup ${id}: needs at least one subnet`);
    props.nodes.forEach((node, index) => {
      const subnet = props.subnets[index % props.subnets.length]!;
      const tags = { ...props.tags, ...node.labels, Name: node.name };
      const instance = new Instance(this, `Instance${index + 1}`, {
        ami: props.ami,
        instanceType: props.instanceType,
        subnetId: subnet.id,
        vpcSecurityGroupIds: [...props.securityGroupIds],
        keyName: props.keyName,
        userData: props.userData,
        associatePublicIpAddress: false,
        ...(props.privateIps !== undefined ? { privateIp: props.privateIps[index]! } : {}),
        metadataOptions: { httpTokens: "required", httpEndpoint: "enabled" },
        rootBlockDevice: { volumeType: "gp3", volumeSize: props.rootVolumeGb, encrypted: true, tags },
        tags,
        ...(props.deleteProtection === true ? { disableApiTermination: true } : {}),
        lifecycle: { ignoreChanges: [...AWS_BOOT_ONLY_ATTRIBUTES] },
      });
      this.instances.push(instance);
      if (props.dataVolumeGb !== undefined) {
        const volume = new EbsVolume(this, `DataVolume${index + 1}`, {
          availabilityZone: subnet.availabilityZone,
          size: props.dataVolumeGb,
          type: "gp3",
          encrypted: true,
          tags: { ...tags, Name: dataVolumeName(node.name) },
          // Terraform refuses any plan that would destroy stored data.
          lifecycle: { preventDestroy: true },
        });
        new VolumeAttachment(this, `DataVolumeAttachment${index + 1}`, { deviceName: "/dev/sdf", volumeId: volume.id, instanceId: instance.id });
        this.volumes.push(volume);
      }
    });
  }
}
