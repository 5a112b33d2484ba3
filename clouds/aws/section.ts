/** The `aws:` section of cluster.yaml: AWS. Zod only: the bottom layer reads it. */
import { z } from "zod";

export const awsSection = z
  .strictObject({
    /** Region of every resource. @default eu-central-1 */
    region: z.string().default("eu-central-1"),
    /** Availability zones the subnets span (at least one). @default the region's a and b zones */
    availabilityZones: z.array(z.string()).min(1, "needs at least one availability zone").optional(),
    /** AMI id for every node; without it an aws_ami data source finds the newest image by owner and name. @default none */
    ami: z.string().regex(/^ami-[0-9a-f]{8,17}$/, "must be an AMI id such as ami-0a1b2c3d4e5f67890").optional(),
    /** AMI owner for the data source. @default 099720109477 (Canonical) */
    amiOwner: z.string().default("099720109477"),
    /** AMI name filter for the data source. @default Ubuntu 24.04 LTS amd64 */
    amiName: z.string().default("ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*"),
    /** Root volume of every instance, GB (gp3, encrypted). @default 30 */
    rootVolumeGb: z.number().int().min(8, "must be at least 8 GB").default(30),
    /**
     * Egress for private subnets: a managed NAT gateway, or the bastion as NAT instance (cheaper,
     * one more job for the bastion). @default nat-gateway
     */
    egress: z.enum(["nat-gateway", "nat-instance"]).default("nat-gateway"),
    /** S3 bucket for backups (versioned, encrypted, private). @default `<cluster>-aiwc-backups` */
    backupBucket: z.string().min(3).max(63).optional(),
  })
  .prefault({});
