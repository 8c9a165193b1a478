/**
 * Loom's wire-compatible subset of Salesforce's Pub/Sub API (package eventbus.v1, service PubSub), written from the
 * published service definition (forcedotcom/pub-sub-api, pubsub_api.proto): the same package, service, message and
 * field names and field numbers, so a client built from either file talks to a server built from the other.
 * Left out: PublishStream and the beta ManagedSubscribe (Loom neither uses nor emulates them).
 */
export const PUBSUB_PROTO = `syntax = "proto3";
package eventbus.v1;

message TopicInfo {
  string topic_name = 1;
  string tenant_guid = 2;
  bool can_publish = 3;
  bool can_subscribe = 4;
  string schema_id = 5;
  string rpc_id = 6;
}

message TopicRequest {
  string topic_name = 1;
}

message EventHeader {
  string key = 1;
  bytes value = 2;
}

// The event as published: "id" is the EventUuid, "payload" Avro binary in the schema "schema_id".
message ProducerEvent {
  string id = 1;
  string schema_id = 2;
  bytes payload = 3;
  repeated EventHeader headers = 4;
}

message ConsumerEvent {
  ProducerEvent event = 1;
  bytes replay_id = 2;
}

message PublishResult {
  bytes replay_id = 1;
  Error error = 2;
  string correlation_key = 3;
}

message Error {
  ErrorCode code = 1;
  string msg = 2;
}

enum ErrorCode {
  UNKNOWN = 0;
  PUBLISH = 1;
  COMMIT = 2;
}

enum ReplayPreset {
  LATEST = 0;
  EARLIEST = 1;
  CUSTOM = 2;
}

// Only the first request of a Subscribe stream sets the topic and the starting point; every request adds
// "num_requested" to what the client is ready to receive (pull flow control).
message FetchRequest {
  string topic_name = 1;
  ReplayPreset replay_preset = 2;
  bytes replay_id = 3;
  int32 num_requested = 4;
  string auth_refresh = 5;
}

message FetchResponse {
  repeated ConsumerEvent events = 1;
  bytes latest_replay_id = 2;
  string rpc_id = 3;
  int32 pending_num_requested = 4;
}

message SchemaRequest {
  string schema_id = 1;
}

message SchemaInfo {
  string schema_json = 1;
  string schema_id = 2;
  string rpc_id = 3;
}

message PublishRequest {
  string topic_name = 1;
  repeated ProducerEvent events = 2;
  string auth_refresh = 3;
}

message PublishResponse {
  repeated PublishResult results = 1;
  string schema_id = 2;
  string rpc_id = 3;
}

service PubSub {
  rpc Subscribe (stream FetchRequest) returns (stream FetchResponse);
  rpc GetSchema (SchemaRequest) returns (SchemaInfo);
  rpc GetTopic (TopicRequest) returns (TopicInfo);
  rpc Publish (PublishRequest) returns (PublishResponse);
}
`;
