import { Construct } from "../../../constructs/cdk";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";

export interface BackupBucketProps {
  readonly bucket: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The bastion's backup bucket: versioned, encrypted at rest (SSE-S3), all public access blocked,
 * never destroyed by a plan; and the instance profile the bastion writes to it with (its own
 * objects only: list, put, get, delete), so the backups need no access keys on AWS.
 */
export class BackupBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly writerProfile: IamInstanceProfile;

  constructor(scope: Construct, id: string, props: BackupBucketProps) {
    super(scope, id);
    this.bucket = new S3Bucket(this, "Bucket", { bucket: props.bucket, tags: { ...props.tags }, lifecycle: { preventDestroy: true } });
    new S3BucketVersioningA(this, "Versioning", { bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "Encryption", {
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    new S3BucketPublicAccessBlock(this, "PublicAccessBlock", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const role = new IamRole(this, "WriterRole", {
      name: `${props.bucket}-writer`,
      description: "The aiwc bastion writes configuration backups to its bucket",
      assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
      tags: { ...props.tags },
    });
    // Names, not references: the bastion and the bucket do not wait for each other.
    const arn = `arn:aws:s3:::${props.bucket}`;
    new IamRolePolicy(this, "WriterPolicy", {
      name: "backups",
      role: role.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ["s3:ListBucket"], Resource: arn },
          { Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"], Resource: `${arn}/*` },
        ],
      }),
    });
    this.writerProfile = new IamInstanceProfile(this, "WriterProfile", { name: `${props.bucket}-writer`, role: role.name, tags: { ...props.tags } });
  }
}
