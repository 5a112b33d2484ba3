/**
 * The one module through which aiwc's code uses CDK for Terraform (cdktf) and constructs. cdktf
 * 0.21 is the last release of HashiCorp's project; its maintained fork, CDK Terrain (`cdktn`),
 * needs Node ≥ 22.19. Moving to it is a change here (plus regenerating the provider bindings,
 * which import the library themselves), not in every construct. A test keeps other modules
 * from importing cdktf directly.
 */
export {
  App,
  DataResource,
  DefaultTokenResolver,
  Fn,
  LocalBackend,
  S3Backend,
  StringConcat,
  TerraformDataSource,
  TerraformElement,
  TerraformLocal,
  TerraformOutput,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
  Token,
  Tokenization,
} from "cdktf";
export type { ITerraformDependable } from "cdktf";
export { Construct } from "constructs";
