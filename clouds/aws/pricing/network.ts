/**
 * AWS network resources (config/prices/aws.yaml): NAT gateway hours plus data processed
 * (usage-based), Elastic IPs (public IPv4 hours), load balancers (hours plus capacity units,
 * usage-based).
 */
import { z } from "zod";
import { money } from "../../../catalog/money";
import { pricedResource } from "../../../catalog/priced-resource";

export const awsNatGateway = pricedResource({
  type: "aws_nat_gateway",
  provider: "aws",
  schema: z.object({ connectivity_type: z.string().optional() }),
  // A private NAT gateway has no public IPv4 but the same hourly and per-GB price.
  components: (_a, context) => [
    { name: "NAT gateway", unit: "hours", quantity: money(context.usage.monthly_hours ?? context.hoursPerMonth), rate: "hourly", price: { provider: "aws", section: "products", id: "nat_gateway" } },
    {
      name: "Data processed",
      unit: "GB",
      quantity: context.usage.monthly_gb_processed !== undefined ? money(context.usage.monthly_gb_processed) : null,
      price: { provider: "aws", section: "products", id: "nat_gateway_gb" },
      usageKey: "monthly_gb_processed",
    },
  ],
});

export const awsEip = pricedResource({
  type: "aws_eip",
  provider: "aws",
  schema: z.object({}),
  components: (_a, context) => [
    { name: "Public IPv4 (Elastic IP)", unit: "hours", quantity: money(context.hoursPerMonth), rate: "hourly", price: { provider: "aws", section: "products", id: "public_ipv4" } },
  ],
});

export const awsLb = pricedResource({
  type: "aws_lb",
  provider: "aws",
  schema: z.object({ load_balancer_type: z.string().optional() }),
  components(a, context) {
    const network = a.load_balancer_type === "network";
    const id = network ? "nlb" : a.load_balancer_type === undefined || a.load_balancer_type === "application" ? "alb" : a.load_balancer_type;
    const unit = network ? "NLCU-hours" : "LCU-hours";
    return [
      { name: `Load balancer (${network ? "network" : "application"})`, unit: "hours", quantity: money(context.hoursPerMonth), rate: "hourly", price: { provider: "aws", section: "products", id } },
      {
        name: "Capacity units",
        unit,
        quantity: context.usage.monthly_capacity_unit_hours !== undefined ? money(context.usage.monthly_capacity_unit_hours) : null,
        price: { provider: "aws", section: "products", id: network ? "nlb_nlcu" : "alb_lcu" },
        usageKey: "monthly_capacity_unit_hours",
      },
    ];
  },
});

export const awsS3Bucket = pricedResource({
  type: "aws_s3_bucket",
  provider: "aws",
  schema: z.object({}),
  components: (_a, context) => [
    {
      name: "Standard storage",
      unit: "GB",
      quantity: context.usage.storage_gb !== undefined ? money(context.usage.storage_gb) : null,
      price: { provider: "aws", section: "products", id: "s3_standard_gb" },
      usageKey: "storage_gb",
    },
  ],
});
