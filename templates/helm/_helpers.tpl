{{/* Labels every object of a service carries. */}}
{{- define "services.labels" -}}
app.kubernetes.io/name: {{ .name }}
backstage.io/kubernetes-id: {{ .name }}
app.kubernetes.io/part-of: {{ .root.Values.system }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}
