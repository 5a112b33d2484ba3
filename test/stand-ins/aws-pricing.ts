/**
 * A local stand-in for the AWS Price List Query API's GetProducts, as its API reference shows
 * it: awsJson1_1 (`POST /`, `X-Amz-Target: AWSPriceListService.GetProducts`), a SigV4
 * `Authorization` header for the us-east-1 `pricing` service, `{ServiceCode, Filters:
 * [{Type, Field, Value}], FormatVersion, NextToken, MaxResults}` in, `{FormatVersion,
 * PriceList: [<product JSON as a string>], NextToken}` out — three products a page here, so
 * paging is exercised. Products of the ServiceCode asked for; TERM_MATCH and EQUALS compare an
 * attribute (productFamily counts as one), ANY_OF takes a comma-separated list. An unknown access key is the API's UnrecognizedClientException.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

interface Product {
  serviceCode: string;
  product: { productFamily?: string; attributes: Record<string, string> };
}

export interface AwsPricingStandIn {
  readonly url: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  products: Product[];
  /** Each request's target and filters. */
  readonly requests: { target: string; filters: { Type: string; Field: string; Value: string }[]; nextToken?: string }[];
  close(): Promise<void>;
}

const PAGE = 3;

export async function startAwsPricingStandIn(products: Product[]): Promise<AwsPricingStandIn> {
  const requests: AwsPricingStandIn["requests"] = [];
  const state = { products };
  const accessKeyId = "AKIASTANDIN000000001";
  const server: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => (raw += chunk));
    req.on("end", () => {
      const send = (status: number, body: unknown, type?: string) => {
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1", ...(type !== undefined ? { "x-amzn-errortype": type } : {}) });
        res.end(JSON.stringify(body));
      };
      const target = String(req.headers["x-amz-target"] ?? "");
      const auth = String(req.headers.authorization ?? "");
      if (!auth.startsWith(`AWS4-HMAC-SHA256 Credential=${accessKeyId}/`) || !auth.includes("/us-east-1/pricing/aws4_request")) {
        return send(400, { __type: "com.amazon.coral.service#UnrecognizedClientException", message: "The security token included in the request is invalid." }, "UnrecognizedClientException");
      }
      if (req.method !== "POST" || target !== "AWSPriceListService.GetProducts") return send(400, { __type: "com.amazon.coral.service#UnknownOperationException", message: "unknown operation" });
      const body = JSON.parse(raw) as { ServiceCode: string; Filters?: { Type: string; Field: string; Value: string }[]; NextToken?: string; MaxResults?: number };
      requests.push({ target, filters: body.Filters ?? [], ...(body.NextToken !== undefined ? { nextToken: body.NextToken } : {}) });
      const matching = state.products.filter((p) =>
        p.serviceCode === body.ServiceCode &&
        (body.Filters ?? []).every((f) => {
          const value = f.Field === "productFamily" ? p.product.productFamily : p.product.attributes[f.Field];
          if (value === undefined) return false;
          if (f.Type === "ANY_OF") return f.Value.split(",").includes(value);
          if (f.Type === "TERM_MATCH") return value.toLowerCase() === f.Value.toLowerCase();
          return value === f.Value;
        }),
      );
      const start = Number(body.NextToken ?? 0);
      const next = start + PAGE < matching.length ? String(start + PAGE) : undefined;
      return send(200, { FormatVersion: "aws_v1", PriceList: matching.slice(start, start + PAGE).map((p) => JSON.stringify(p)), ...(next !== undefined ? { NextToken: next } : {}) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accessKeyId,
    secretAccessKey: "stand-in-secret-key-0123456789abcdef",
    get products() {
      return state.products;
    },
    set products(value: Product[]) {
      state.products = value;
    },
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
