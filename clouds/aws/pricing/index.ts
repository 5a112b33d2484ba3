/** AWS's priced resources and free list. */
import type { PricedResourceType } from "../../../catalog/priced-resource";
import { awsInstance } from "./aws-instance";
import { awsEbsVolume } from "./ebs";
import { awsEip, awsLb, awsNatGateway, awsS3Bucket } from "./network";

export const priced: readonly PricedResourceType<any>[] = [awsInstance, awsEbsVolume, awsNatGateway, awsEip, awsLb, awsS3Bucket];

/** Types AWS does not charge for by themselves (their traffic is priced where it is metered). */
export const free: Readonly<Record<string, string>> = {
  aws_vpc: "VPCs are free",
  aws_subnet: "subnets are free",
  aws_internet_gateway: "internet gateways are free (egress is metered)",
  aws_egress_only_internet_gateway: "free (egress is metered)",
  aws_route_table: "route tables are free",
  aws_route: "routes are free",
  aws_route_table_association: "route tables are free",
  aws_main_route_table_association: "route tables are free",
  aws_default_route_table: "route tables are free",
  aws_security_group: "security groups are free",
  aws_security_group_rule: "security groups are free",
  aws_vpc_security_group_ingress_rule: "security groups are free",
  aws_vpc_security_group_egress_rule: "security groups are free",
  aws_default_security_group: "security groups are free",
  aws_network_acl: "network ACLs are free",
  aws_key_pair: "key pairs are free",
  aws_eip_association: "the Elastic IP is priced",
  aws_volume_attachment: "the volume is priced, not its attachment",
  aws_lb_target_group: "the load balancer is priced",
  aws_lb_target_group_attachment: "the load balancer is priced",
  aws_lb_listener: "the load balancer is priced",
  aws_lb_listener_rule: "the load balancer is priced",
  aws_s3_bucket_versioning: "the bucket is priced by usage",
  aws_s3_bucket_server_side_encryption_configuration: "SSE-S3 encryption is free",
  aws_s3_bucket_public_access_block: "free",
  aws_s3_bucket_policy: "free",
  aws_s3_bucket_lifecycle_configuration: "free",
  aws_s3_bucket_ownership_controls: "free",
  aws_iam_role: "IAM is free",
  aws_iam_policy: "IAM is free",
  aws_iam_role_policy: "IAM is free",
  aws_iam_role_policy_attachment: "IAM is free",
  aws_iam_instance_profile: "IAM is free",
  aws_placement_group: "placement groups are free",
};
